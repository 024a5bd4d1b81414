import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { aggregateCost } from './costs';
import { CreateProjectInput, ProjectType, UpdateProjectInput } from './project.types';
import { ProjectStatsType } from './stats.types';

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Mutation(() => ProjectType)
  createProject(@Arg('input') input: CreateProjectInput, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.projects.create(p, input);
  }

  @Mutation(() => ProjectType)
  updateProject(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateProjectInput, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.projects.update(p, id, input);
  }

  @Query(() => ProjectType)
  project(@Arg('id', () => ID) id: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.projects.get(p, id);
  }

  @Query(() => [ProjectType], { description: "Projects in the key's scope." })
  projects(@CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.projects.list(p);
  }

  @Query(() => ProjectStatsType, { complexity: aggregateCost('projectStats') })
  projectStats(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.stats.projectStats(p, projectId);
  }
}
