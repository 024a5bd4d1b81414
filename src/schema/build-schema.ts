import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, MiddlewareFn } from 'type-graphql';
import { badInput, clip } from '../errors';
import { requirePrincipal } from '../services/auth.service';
import { AnnotationResolver } from './annotation.resolver';
import { ApiKeyResolver } from './api-key.resolver';
import { ConsensusResolver } from './consensus.resolver';
import type { Context } from './context';
import { DriftResolver } from './drift.resolver';
import { validateArg } from './input-rules';
import { ItemResolver } from './item.resolver';
import { JobResolver } from './job.resolver';
import { LabelIssueResolver } from './label-issue.resolver';
import { LabelStudioResolver } from './label-studio.resolver';
import { ModelResolver } from './model.resolver';
import { ProjectResolver } from './project.resolver';
import { RoutingResolver } from './routing.resolver';
import { SelectionResolver } from './selection.resolver';
import { SnapshotResolver } from './snapshot.resolver';
import { TrainingResolver } from './training.resolver';
import { WebhookResolver } from './webhook.resolver';

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

/** Node 20's String.prototype.isWellFormed (ES2024): false when the string holds a lone surrogate. */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Whether a string is text the database stores as sent: valid Unicode (no lone surrogate) without U+0000. */
const fine = (s: string): boolean => !s.includes('\u0000') && wellFormed(s);

/** What is wrong with a string that is not {@link fine}, and where (0-based index in UTF-16 code units). */
function problem(s: string, ofKey: boolean): string {
  const of = ofKey ? ' of the key' : '';
  const nul = s.indexOf('\u0000');
  let lone = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else { lone = i; break; }
    } else if (c >= 0xdc00 && c <= 0xdfff) { lone = i; break; }
  }
  if (lone >= 0 && (nul < 0 || lone < nul)) return `must be valid Unicode (a lone surrogate at character ${lone}${of})`;
  return `must not contain the character U+0000 (at character ${nul}${of})`;
}

/**
 * Whether every string (and object key) in `v` is {@link fine}: the allocation-free scan every argument gets;
 * findBad, which also builds the path for the error, runs only when this finds one. Its own stack, not recursion.
 */
function allFine(v: unknown): boolean {
  if (typeof v === 'string') return fine(v);
  if (v === null || typeof v !== 'object') return true;
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') {
      if (!fine(x)) return false;
    } else if (Array.isArray(x)) {
      // [Float!] (embeddings) hold only numbers: nothing is pushed for them.
      for (let i = x.length - 1; i >= 0; i--) if (typeof x[i] !== 'number') stack.push(x[i]);
    } else if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
      for (const k in x) {
        if (!fine(k)) return false;
        stack.push((x as Record<string, unknown>)[k]);
      }
    }
  }
  return true;
}

/**
 * The path of the first string (or object key) in `v` that is not {@link fine} (PostgreSQL text and jsonb cannot
 * store U+0000; a lone surrogate would fail to encode or turn into U+FFFD), and what is wrong with it. Walks with a
 * stack of its own, not recursion, so that deeply nested JSON arguments cannot overflow the call stack. A bad key is
 * spelled as JSON, cut to 80 characters.
 */
function findBad(v: unknown, path: string): { path: string; problem: string } | null {
  const stack: Array<{ v: unknown; at: PathNode; badKey: string | null }> = [{ v, at: { seg: path, up: null }, badKey: null }];
  while (stack.length) {
    const { v: x, at, badKey } = stack.pop()!;
    if (badKey !== null) return { path: spell(at), problem: problem(badKey, true) };
    if (typeof x === 'string') {
      if (!fine(x)) return { path: spell(at), problem: problem(x, false) };
    } else if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) if (typeof x[i] !== 'number') stack.push({ v: x[i], at: { seg: `[${i}]`, up: at }, badKey: null });
    } else if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
      const entries = Object.entries(x);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, y] = entries[i];
        const bad = !fine(k);
        const seg = bad ? `[${clip(JSON.stringify(k))}]` : `.${clip(k)}`;
        stack.push({ v: y, at: { seg, up: at }, badKey: bad ? k : null });
      }
    }
  }
  return null;
}

/**
 * Every root field needs a valid key, and every string in its arguments (object keys included, at any depth) must be
 * valid Unicode without U+0000: refused as bad input naming the path and the character, not left to fail (or be
 * altered) in the database. Nested fields inherit the checks of their root. One middleware: it wraps every field.
 */
const GuardRoot: MiddlewareFn<Context> = ({ context, info, args }, next) => {
  const parent = info.parentType.name;
  if (parent === 'Query' || parent === 'Mutation') {
    requirePrincipal(context.principal);
    for (const name in args) {
      const v = args[name];
      if (allFine(v)) continue;
      const f = findBad(v, name);
      if (f) throw badInput(f.path, f.problem);
    }
  }
  return next();
};

export const resolvers = [ProjectResolver, ItemResolver, AnnotationResolver, ApiKeyResolver, ModelResolver, SelectionResolver, TrainingResolver, LabelIssueResolver, JobResolver, ConsensusResolver, RoutingResolver, DriftResolver, SnapshotResolver, LabelStudioResolver, WebhookResolver] as const;

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    globalMiddlewares: [GuardRoot],
    validateFn: validateArg,
  });
}

/** The schema as committed in schema.graphql (sorted, so the file changes only when the API does). */
export function printLoupeSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
