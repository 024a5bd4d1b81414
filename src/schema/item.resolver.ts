import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { ItemView } from '../services/item.service';
import { AnnotationType } from './annotation.types';
import { connection, itemCursor, itemsAfter } from './connection';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { listCost, pageCost } from './costs';
import { ImportItemsResultType, ItemConnectionType, ItemFilter, ItemInput, ItemType } from './item.types';
import { PageArgs } from './page-args';


@Resolver(() => ItemType)
export class ItemResolver {
  @Mutation(() => ImportItemsResultType, { description: 'Upserts items by externalId, up to 10,000 per call, in one transaction.' })
  importItems(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('items', () => [ItemInput], { validate: false }) items: ItemInput[],
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.items.importItems(p, projectId, items);
  }

  @Query(() => ItemConnectionType, { complexity: pageCost('items') })
  async items(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('filter', () => ItemFilter, { nullable: true }) filter: ItemFilter | null,
    @Args() { first, after }: PageArgs,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return connection(await ctx.services.items.items(p, projectId, filter, first, itemsAfter(after)), itemCursor);
  }

  @Query(() => ItemType, { description: 'One item, by id or by externalId: exactly one of the two.' })
  item(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('externalId', () => String, { nullable: true }) externalId: string | null,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.items.item(p, projectId, { id, externalId });
  }

  @FieldResolver(() => [Number], { nullable: true })
  embedding(@Root() item: ItemView) {
    return item.embedding && Array.from(item.embedding);
  }

  @FieldResolver(() => [AnnotationType], { complexity: listCost('itemAnnotations') })
  annotations(@Root() item: ItemView, @Ctx() ctx: Context) {
    return ctx.loaders.annotationsByItem.load(item.id);
  }
}
