import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import { connection, itemCursor, itemsAfter } from './connection';
import type { Context } from './context';
import { pageCost } from './costs';
import { PageArgs } from './page-args';
import { CurrentPrincipal } from './principal';
import { CreateWebhookInput, UpdateWebhookInput, WebhookDeliveryConnectionType, WebhookType } from './webhook.types';

@Resolver(() => WebhookType)
export class WebhookResolver {
  @Mutation(() => WebhookType, { description: 'Subscribes a URL to events of the project (ADMIN, ML_ENGINEER).' })
  async createWebhook(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('input', () => CreateWebhookInput, { validate: false }) input: CreateWebhookInput,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    const { webhook, secret } = await ctx.services.webhooks.create(p, projectId, input);
    return { ...webhook, secret };
  }

  @Query(() => [WebhookType])
  async webhooks(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return (await ctx.services.webhooks.list(p, projectId)).map((w) => ({ ...w, secret: null }));
  }

  @Mutation(() => WebhookType)
  async updateWebhook(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookInput, { validate: false }) input: UpdateWebhookInput,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return { ...(await ctx.services.webhooks.update(p, id, input)), secret: null };
  }

  @Mutation(() => WebhookType, { description: 'Deletes the webhook and its deliveries; answers the webhook as it was.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return { ...(await ctx.services.webhooks.delete(p, id)), secret: null };
  }

  @Query(() => WebhookDeliveryConnectionType, { complexity: pageCost('webhookDeliveries'), description: "The webhook's deliveries, newest first." })
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Args() { first, after }: PageArgs,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return connection(await ctx.services.webhooks.deliveries(p, webhookId, first, itemsAfter(after)), itemCursor);
  }
}
