import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ItemView } from '../services/item.service';
import { AnnotationType } from './annotation.types';
import type { Context } from './context';
import { ITEM_ANNOTATIONS_FACTOR, pageCost } from './costs';
import { ImportItemsResultType, ItemConnectionType, ItemFilter, ItemInput, ItemType } from './item.types';


@Resolver(() => ItemType)
export class ItemResolver {
  @Mutation(() => ImportItemsResultType, { description: 'Upserts items by externalId, up to 10,000 per call, in one transaction.' })
  importItems(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('items', () => [ItemInput], { validate: false }) items: ItemInput[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.items.importItems(ctx.principal!, projectId, items);
  }

  @Query(() => ItemConnectionType, { complexity: pageCost('items') })
  items(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('filter', () => ItemFilter, { nullable: true }) filter: ItemFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.items.items(ctx.principal!, projectId, filter, first, after);
  }

  @Query(() => ItemType, { description: 'One item, by id or by externalId: exactly one of the two.' })
  item(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('externalId', () => String, { nullable: true }) externalId: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.items.item(ctx.principal!, projectId, { id, externalId });
  }

  @FieldResolver(() => [Number], { nullable: true })
  embedding(@Root() item: ItemView) {
    return item.embedding && Array.from(item.embedding);
  }

  @FieldResolver(() => [AnnotationType], { complexity: ({ childComplexity }) => ITEM_ANNOTATIONS_FACTOR * childComplexity })
  annotations(@Root() item: ItemView, @Ctx() ctx: Context) {
    return ctx.loaders.annotationsByItem.load(item.id);
  }
}
