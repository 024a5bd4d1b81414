import { DocumentNode, FragmentDefinitionNode, Kind, SelectionSetNode } from 'graphql';

/**
 * The shape of a GraphQL document, measured in time linear in its size before any validation rule runs: graphql-js's
 * own rules (OverlappingFieldsCanBeMerged above all) and execution cost as much as the document expands to, and a
 * kilobyte of fragments spreading each other twice expands to 2^26 fields. Each fragment is measured once, after the
 * fragments it spreads (so a spread adds a fragment's counts instead of walking it again), with counts that saturate
 * at {@link SATURATED} instead of growing without bound.
 *
 * Pure: no I/O, no schema (field names only); the caller parses (with `maxTokens`) and reports.
 */

/** The largest count kept; any count at least this large reads as "at least this many". */
export const SATURATED = Number.MAX_SAFE_INTEGER;

const add = (a: number, b: number): number => Math.min(a + b, SATURATED);

/** What one selection set expands to (fragments spread inside it expanded). */
export interface SelectionShape {
  /** Fields at every level, each spread of a fragment counting its fields again. */
  fields: number;
  /** Fields written with an alias, counted the same way. */
  aliases: number;
  /** Fields at the top level of the selection set (the operation's root fields when it is an operation's). */
  topFields: number;
  /**
   * The deepest level a field sits at, the top level being 0 (a leaf directly under a root field is at 1).
   * Introspection fields (`__schema`, `__type`, `__typename`) are not descended into: their depth is the schema's.
   */
  depth: number;
  /** How many times each of the one-per-operation fields appears at the top level, by field name. */
  exclusive: Map<string, number>;
}

export interface OperationShape extends SelectionShape {
  /** The operation's name, or null for an anonymous one. */
  name: string | null;
  operation: 'query' | 'mutation' | 'subscription';
}

export interface DocumentShape {
  /** A cycle of fragment spreads (`['A', 'B', 'A']`), or null; when present nothing else is measured. */
  cycle: string[] | null;
  operations: OperationShape[];
  /** Each fragment definition on its own (an unused fragment is still validated, so still costs). */
  fragments: Array<SelectionShape & { name: string }>;
}

export interface QueryLimits {
  maxFields: number;
  maxAliases: number;
  maxRootFields: number;
  maxDepth: number;
  /** Root fields of which an operation may hold at most one in all (costly ones: leases, training, jobs). */
  onePerOperation: readonly string[];
}

export const DEFAULT_ONE_PER_OPERATION = ['nextBatch', 'trainModel', 'runJob'] as const;

/** A refusal: `reason` is the metrics label, `message` names the limit and its environment variable. */
export interface LimitRefusal {
  reason: 'fragment_cycle' | 'too_many_fields' | 'too_many_aliases' | 'too_many_root_fields' | 'too_deep' | 'one_per_operation';
  message: string;
}

function emptyShape(): SelectionShape {
  return { fields: 0, aliases: 0, topFields: 0, depth: 0, exclusive: new Map() };
}

/** The fragment names spread anywhere inside a selection set, in order of appearance (duplicates kept out). */
function spreadsIn(set: SelectionSetNode): string[] {
  const out = new Set<string>();
  const stack: SelectionSetNode[] = [set];
  while (stack.length) {
    for (const s of stack.pop()!.selections) {
      if (s.kind === Kind.FRAGMENT_SPREAD) out.add(s.name.value);
      else if (s.selectionSet) stack.push(s.selectionSet);
    }
  }
  return [...out];
}

/**
 * Fragments in an order where each comes after every fragment it spreads, or the first cycle found. Iterative
 * depth-first search (a chain of thousands of fragments must not overflow the stack). Spreads of unknown fragments
 * are skipped: validation reports them.
 */
function orderFragments(defs: Map<string, FragmentDefinitionNode>): { order: string[]; cycle: string[] | null } {
  const edges = new Map<string, string[]>();
  for (const [name, def] of defs) edges.set(name, spreadsIn(def.selectionSet).filter((n) => defs.has(n)));
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const order: string[] = [];
  for (const start of defs.keys()) {
    if (state.has(start)) continue;
    const path: Array<{ name: string; next: number }> = [{ name: start, next: 0 }];
    state.set(start, 1);
    while (path.length) {
      const top = path[path.length - 1];
      const out = edges.get(top.name)!;
      if (top.next < out.length) {
        const n = out[top.next++];
        const s = state.get(n);
        if (s === 1) {
          const from = path.findIndex((p) => p.name === n);
          return { order, cycle: [...path.slice(from).map((p) => p.name), n] };
        }
        if (s === undefined) {
          state.set(n, 1);
          path.push({ name: n, next: 0 });
        }
      } else {
        state.set(top.name, 2);
        order.push(top.name);
        path.pop();
      }
    }
  }
  return { order, cycle: null };
}

/**
 * Measures a selection set whose spread fragments are already measured (`known`). Recursion follows the nesting of
 * the text only, which the parser has already walked the same way.
 */
function measure(set: SelectionSetNode, known: Map<string, SelectionShape>, exclusive: ReadonlySet<string>): SelectionShape {
  const shape = emptyShape();
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      shape.fields = add(shape.fields, 1);
      shape.topFields = add(shape.topFields, 1);
      if (s.alias) shape.aliases = add(shape.aliases, 1);
      const name = s.name.value;
      if (exclusive.has(name)) shape.exclusive.set(name, add(shape.exclusive.get(name) ?? 0, 1));
      if (s.selectionSet) {
        const inner = measure(s.selectionSet, known, exclusive);
        shape.fields = add(shape.fields, inner.fields);
        shape.aliases = add(shape.aliases, inner.aliases);
        if (!name.startsWith('__')) shape.depth = Math.max(shape.depth, inner.depth + 1);
      }
    } else {
      const inner = s.kind === Kind.FRAGMENT_SPREAD ? known.get(s.name.value) : measure(s.selectionSet, known, exclusive);
      if (!inner) continue; // an unknown fragment: validation reports it
      shape.fields = add(shape.fields, inner.fields);
      shape.aliases = add(shape.aliases, inner.aliases);
      shape.topFields = add(shape.topFields, inner.topFields);
      shape.depth = Math.max(shape.depth, inner.depth);
      for (const [n, c] of inner.exclusive) shape.exclusive.set(n, add(shape.exclusive.get(n) ?? 0, c));
    }
  }
  return shape;
}

/** Measures every operation and fragment of a parsed document; O(size of the text). */
export function measureDocument(doc: DocumentNode, onePerOperation: readonly string[] = DEFAULT_ONE_PER_OPERATION): DocumentShape {
  const exclusive = new Set(onePerOperation);
  const defs = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION && !defs.has(d.name.value)) defs.set(d.name.value, d);
  const { order, cycle } = orderFragments(defs);
  if (cycle) return { cycle, operations: [], fragments: [] };
  const known = new Map<string, SelectionShape>();
  for (const name of order) known.set(name, measure(defs.get(name)!.selectionSet, known, exclusive));
  const operations: OperationShape[] = [];
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    operations.push({ name: d.name?.value ?? null, operation: d.operation, ...measure(d.selectionSet, known, exclusive) });
  }
  return { cycle: null, operations, fragments: order.map((name) => ({ name, ...known.get(name)! })) };
}

/** A count as a reader sees it: exact, or "at least …" once saturated. */
export function spellCount(n: number): string {
  return n >= SATURATED ? `at least ${SATURATED}` : String(n);
}

/**
 * The first limit the document exceeds, or null. Operations are checked before fragment definitions (a fragment
 * too large or too deep on its own is refused even when no operation spreads it: validation would still walk it).
 */
export function checkQueryLimits(doc: DocumentNode, limits: QueryLimits): LimitRefusal | null {
  const shape = measureDocument(doc, limits.onePerOperation);
  if (shape.cycle) {
    return { reason: 'fragment_cycle', message: `fragment cycle: ${shape.cycle.join(' → ')}; a fragment cannot spread itself, directly or through others` };
  }
  for (const op of shape.operations) {
    const what = op.name ? `operation ${op.name}` : `the ${op.operation}`;
    const r = exceeds(what, op, limits, true);
    if (r) return r;
    const present = [...op.exclusive].filter(([, c]) => c > 0);
    const total = present.reduce((s, [, c]) => add(s, c), 0);
    if (total > 1) {
      const names = present.map(([n, c]) => (c > 1 ? `${n} ×${spellCount(c)}` : n)).join(', ');
      return {
        reason: 'one_per_operation',
        message: `${what} asks for ${names}: an operation may hold at most one of ${limits.onePerOperation.join(', ')} (send separate requests)`,
      };
    }
  }
  for (const f of shape.fragments) {
    const r = exceeds(`fragment ${f.name}`, f, limits, false);
    if (r) return r;
  }
  return null;
}

function exceeds(what: string, s: SelectionShape, limits: QueryLimits, root: boolean): LimitRefusal | null {
  if (s.fields > limits.maxFields) {
    return { reason: 'too_many_fields', message: `${what} has ${spellCount(s.fields)} fields after expanding fragments; the limit is ${limits.maxFields} (LOUPE_MAX_FIELDS)` };
  }
  if (s.aliases > limits.maxAliases) {
    return { reason: 'too_many_aliases', message: `${what} has ${spellCount(s.aliases)} aliased fields after expanding fragments; the limit is ${limits.maxAliases} (LOUPE_MAX_ALIASES)` };
  }
  if (root && s.topFields > limits.maxRootFields) {
    return { reason: 'too_many_root_fields', message: `${what} has ${spellCount(s.topFields)} root fields after expanding fragments; the limit is ${limits.maxRootFields} (LOUPE_MAX_ROOT_FIELDS)` };
  }
  if (s.depth > limits.maxDepth) {
    return { reason: 'too_deep', message: `${what} has depth ${s.depth}, which exceeds maximum operation depth of ${limits.maxDepth} (LOUPE_MAX_QUERY_DEPTH)` };
  }
  return null;
}
