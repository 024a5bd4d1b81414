import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { JobName } from '../jobs/job';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { JobNameEnum } from './job.types';
import { JobRunType } from './model.types';

@Resolver()
export class JobResolver {
  @Mutation(() => JobRunType, {
    description: 'Runs a job for the project now; returns its job run at once (or the run of that job already in progress).',
  })
  runJob(@Arg('projectId', () => ID) projectId: string, @Arg('name', () => JobNameEnum) name: JobName, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.jobs.runJob(p, projectId, name);
  }
}
