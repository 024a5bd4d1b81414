import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { ItemView } from '../services/item.service';
import type { ItemRouteView } from '../services/routing.service';
import type { Context } from './context';
import { aggregateCost } from './costs';
import { ItemType } from './item.types';
import { ItemRouteType, RouteCountsType } from './routing.types';

const loaders = new WeakMap<Context, DataLoader<string, ItemRouteView | null>>();

/** One batching loader per request for item.route (kept beside the context, keyed by it). */
function routeLoader(ctx: Context): DataLoader<string, ItemRouteView | null> {
  let l = loaders.get(ctx);
  if (!l) {
    l = new DataLoader((ids: readonly string[]) => ctx.services.routing.forItems(ctx.principal!, ids), { maxBatchSize: 1000 });
    loaders.set(ctx, l);
  }
  return l;
}

@Resolver(() => ItemType)
export class RoutingResolver {
  @Query(() => RouteCountsType, { complexity: aggregateCost('routeCounts'), description: 'Items per route (AUTO_ACCEPT, SINGLE_REVIEW, CONSENSUS, EXPERT, DONE) from the last route run.' })
  routeCounts(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context) {
    return ctx.services.routing.routeCounts(ctx.principal!, projectId);
  }

  @FieldResolver(() => ItemRouteType, { nullable: true, description: 'Where the item goes next (null until a route run has seen it).' })
  route(@Root() item: ItemView, @Ctx() ctx: Context) {
    return routeLoader(ctx).load(item.id);
  }
}
