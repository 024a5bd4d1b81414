import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { ItemView } from '../services/item.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { aggregateCost } from './costs';
import { ItemType } from './item.types';
import { ItemRouteType, RouteCountsType } from './routing.types';

@Resolver(() => ItemType)
export class RoutingResolver {
  @Query(() => RouteCountsType, { complexity: aggregateCost('routeCounts'), description: 'Items per route (AUTO_ACCEPT, SINGLE_REVIEW, CONSENSUS, EXPERT, DONE) from the last route run.' })
  routeCounts(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.routing.routeCounts(p, projectId);
  }

  @FieldResolver(() => ItemRouteType, { nullable: true, description: 'Where the item goes next (null until a route run has seen it).' })
  route(@Root() item: ItemView, @Ctx() ctx: Context) {
    return ctx.loaders.routeByItem.load(item.id);
  }
}
