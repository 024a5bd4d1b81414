import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context';
import { aggregateCost } from './costs';
import { CreateProjectInput, ProjectType, UpdateProjectInput } from './project.types';
import { ProjectStatsType } from './stats.types';

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Mutation(() => ProjectType)
  createProject(@Arg('input') input: CreateProjectInput, @Ctx() ctx: Context) {
    return ctx.services.projects.create(ctx.principal!, input);
  }

  @Mutation(() => ProjectType)
  updateProject(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateProjectInput, @Ctx() ctx: Context) {
    return ctx.services.projects.update(ctx.principal!, id, input);
  }

  @Query(() => ProjectType)
  project(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projects.get(ctx.principal!, id);
  }

  @Query(() => [ProjectType], { description: "Projects in the key's scope." })
  projects(@Ctx() ctx: Context) {
    return ctx.services.projects.list(ctx.principal!);
  }

  @Query(() => ProjectStatsType, { complexity: aggregateCost('projectStats') })
  projectStats(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context) {
    return ctx.services.stats.projectStats(ctx.principal!, projectId);
  }
}
