import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { AnnotationInput, SubmitAnnotationsResultType } from './annotation.types';
import type { Context } from './context';

@Resolver()
export class AnnotationResolver {
  @Mutation(() => SubmitAnnotationsResultType, {
    description: 'Appends up to 10,000 annotations in one transaction, all or nothing; idempotent by clientMutationId.',
  })
  submitAnnotations(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotations', () => [AnnotationInput], { validate: false }) annotations: AnnotationInput[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.annotations.submit(ctx.principal!, projectId, annotations);
  }
}
