import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-key.types';
import type { Context } from './context';

@Resolver()
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKeyType)
  createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.auth.createKey(ctx.principal!, input);
  }

  @Mutation(() => ApiKeyType)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.auth.revokeKey(ctx.principal!, id);
  }

  @Query(() => [ApiKeyType])
  apiKeys(@Ctx() ctx: Context) {
    return ctx.services.auth.listKeys(ctx.principal!);
  }
}
