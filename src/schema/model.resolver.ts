import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { ItemView } from '../services/item.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { ItemType } from './item.types';
import { ModelVersionType, PredictionInput, PredictionType } from './model.types';

@Resolver(() => ItemType)
export class ModelResolver {
  @Mutation(() => ModelVersionType, {
    description: "Stores an external model's class probabilities (up to 100,000 items) as a new model version, all or nothing.",
  })
  submitPredictions(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('modelName') modelName: string,
    @Arg('predictions', () => [PredictionInput]) predictions: PredictionInput[],
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.models.submitPredictions(p, projectId, modelName, predictions);
  }

  @Query(() => [ModelVersionType], { description: 'Model versions of a project, newest first.' })
  modelVersions(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.models.modelVersions(p, projectId);
  }

  @FieldResolver(() => PredictionType, { nullable: true, description: "Probabilities under the project's latest model version." })
  prediction(@Root() item: ItemView, @Ctx() ctx: Context) {
    return ctx.loaders.predictionByItem.load(item.id);
  }
}
