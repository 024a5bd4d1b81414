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

/** A path segment and the one before it; the path is only spelled out when it is reported. */
interface PathNode {
  seg: string;
  up: PathNode | null;
}
const spell = (n: PathNode | null): string => {
  const segs: string[] = [];
  for (let c = n; c; c = c.up) segs.push(c.seg);
  return segs.reverse().join('');
};

/**
 * Whether any string (or object key) in `v` holds U+0000: the allocation-free scan every argument gets; findNul, which
 * also builds the path for the error, runs only when this finds one. Its own stack, not recursion, as findNul.
 */
function hasNul(v: unknown): boolean {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') {
      if (x.includes('\u0000')) return true;
    } else if (Array.isArray(x)) {
      if (typeof x[0] === 'number') continue; // [Float!] (embeddings): nothing to look at
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    } else if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
      for (const k of Object.keys(x)) {
        if (k.includes('\u0000')) return true;
        stack.push((x as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

/**
 * The path of the first string (or object key) in `v` that holds U+0000, which PostgreSQL text and jsonb cannot store.
 * Walks with a stack of its own, not recursion, so that deeply nested JSON arguments cannot overflow the call stack.
 */
function findNul(v: unknown, path: string): string | null {
  const stack: Array<{ v: unknown; at: PathNode; badKey: boolean }> = [{ v, at: { seg: path, up: null }, badKey: false }];
  while (stack.length) {
    const { v: x, at, badKey } = stack.pop()!;
    if (badKey) return spell(at);
    if (typeof x === 'string') {
      if (x.includes('\u0000')) return spell(at);
    } else if (Array.isArray(x)) {
      if (typeof x[0] === 'number') continue; // [Float!] (embeddings): nothing to look at
      for (let i = x.length - 1; i >= 0; i--) stack.push({ v: x[i], at: { seg: `[${i}]`, up: at }, badKey: false });
    } else if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
      const entries = Object.entries(x);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, y] = entries[i];
        const bad = k.includes('\u0000');
        stack.push({ v: y, at: { seg: `.${bad ? JSON.stringify(k) : k}`, up: at }, badKey: bad });
      }
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
      const f = hasNul(v) ? findNul(v, name) : null;
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
