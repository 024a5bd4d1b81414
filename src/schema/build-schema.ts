import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, MiddlewareFn } from 'type-graphql';
import { badInput } from '../errors';
import { requirePrincipal } from '../services/auth.service';
import { AnnotationResolver } from './annotation.resolver';
import { ApiKeyResolver } from './api-key.resolver';
import { ConsensusResolver } from './consensus.resolver';
import type { Context } from './context';
import { DriftResolver } from './drift.resolver';
import { ItemResolver } from './item.resolver';
import { JobResolver } from './job.resolver';
import { LabelIssueResolver } from './label-issue.resolver';
import { ModelResolver } from './model.resolver';
import { ProjectResolver } from './project.resolver';
import { RoutingResolver } from './routing.resolver';
import { SnapshotResolver } from './snapshot.resolver';

/** The path of the first string (or object key) in `v` that holds U+0000, which PostgreSQL text and jsonb cannot store. */
function findNul(v: unknown, path: string): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path : null;
  if (Array.isArray(v)) {
    if (typeof v[0] === 'number') return null; // [Float!] (embeddings): nothing to look at
    for (let i = 0; i < v.length; i++) {
      const f = findNul(v[i], `${path}[${i}]`);
      if (f) return f;
    }
    return null;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('\u0000')) return `${path}.${JSON.stringify(k)}`;
      const f = findNul(x, `${path}.${k}`);
      if (f) return f;
    }
  }
  return null;
}

/**
 * Every root field needs a valid key, and its arguments must hold no U+0000 (refused as bad input naming the field,
 * not left to fail in the database); nested fields inherit the checks of their root. One middleware: it wraps every field.
 */
const GuardRoot: MiddlewareFn<Context> = ({ context, info, args }, next) => {
  const parent = info.parentType.name;
  if (parent === 'Query' || parent === 'Mutation') {
    requirePrincipal(context.principal);
    for (const [name, v] of Object.entries(args)) {
      const f = findNul(v, name);
      if (f) throw badInput(f, 'must not contain the character U+0000');
    }
  }
  return next();
};

export const resolvers = [ProjectResolver, ItemResolver, AnnotationResolver, ApiKeyResolver, ModelResolver, LabelIssueResolver, JobResolver, ConsensusResolver, RoutingResolver, DriftResolver, SnapshotResolver] as const;

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    globalMiddlewares: [GuardRoot],
    validate: { forbidUnknownValues: false },
  });
}

/** The schema as committed in schema.graphql (sorted, so the file changes only when the API does). */
export function printLoupeSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
