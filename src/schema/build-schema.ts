import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, MiddlewareFn } from 'type-graphql';
import { requirePrincipal } from '../services/auth.service';
import { AnnotationResolver } from './annotation.resolver';
import { ApiKeyResolver } from './api-key.resolver';
import type { Context } from './context';
import { ItemResolver } from './item.resolver';
import { ProjectResolver } from './project.resolver';

/** Every root field needs a valid key; nested fields inherit the check of their root. */
const RequireKey: MiddlewareFn<Context> = ({ context, info }, next) => {
  const parent = info.parentType.name;
  if (parent === 'Query' || parent === 'Mutation') requirePrincipal(context.principal);
  return next();
};

export const resolvers = [ProjectResolver, ItemResolver, AnnotationResolver, ApiKeyResolver] as const;

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    globalMiddlewares: [RequireKey],
    validate: { forbidUnknownValues: false },
  });
}

/** The schema as committed in schema.graphql (sorted, so the file changes only when the API does). */
export function printLoupeSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
