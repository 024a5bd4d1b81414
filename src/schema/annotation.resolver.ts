import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import { AnnotationInput, RetractAnnotationsResultType, SubmitAnnotationsResultType } from './annotation.types';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';

@Resolver()
export class AnnotationResolver {
  @Mutation(() => SubmitAnnotationsResultType, {
    description:
      "Appends up to 10,000 annotations in one transaction, all or nothing; idempotent by clientMutationId. An annotator's later HUMAN or GOLD annotation of an item replaces its earlier vote there.",
  })
  submitAnnotations(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotations', () => [AnnotationInput], { validate: false }) annotations: AnnotationInput[],
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.annotations.submit(p, projectId, annotations);
  }

  @Mutation(() => RetractAnnotationsResultType, {
    description:
      'Withdraws annotations: appends one RETRACTION per id, in one transaction, all or nothing, and the withdrawn annotations stop counting (votes, current labels, consensus). Retracting an id again writes nothing. ADMIN and QA_LEAD keys; a LABELING_TOOL key only annotations it wrote.',
  })
  retractAnnotations(@Arg('projectId', () => ID) projectId: string, @Arg('ids', () => [ID]) ids: string[], @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.retractions.retract(p, projectId, ids);
  }
}
