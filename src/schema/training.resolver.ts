import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { JobRunType, ServerInfoType } from './model.types';

@Resolver()
export class TrainingResolver {
  @Mutation(() => JobRunType, { description: "Starts training Loupe's own model in the background; returns its job run at once." })
  trainModel(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.jobs.trainModel(p, projectId);
  }

  @Query(() => [JobRunType], { description: 'Job runs of a project, newest first.' })
  jobRuns(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.training.jobRuns(p, projectId);
  }

  @Query(() => ServerInfoType)
  serverInfo(@Ctx() ctx: Context) {
    return ctx.services.training.serverInfo();
  }
}
