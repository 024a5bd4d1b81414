import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import { ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-key.types';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';

@Resolver()
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKeyType)
  createApiKey(@Arg('input') input: CreateApiKeyInput, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.auth.createKey(p, input);
  }

  @Mutation(() => ApiKeyType)
  revokeApiKey(@Arg('id', () => ID) id: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.auth.revokeKey(p, id);
  }

  @Query(() => [ApiKeyType])
  apiKeys(@CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.auth.listKeys(p);
  }
}
