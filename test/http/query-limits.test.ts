import { DocumentNode, FragmentDefinitionNode, Kind, parse, SelectionSetNode } from 'graphql';
import { checkQueryLimits, measureDocument, QueryLimits, SATURATED } from '../../src/http/query-limits';

/** The obvious measure: expand every spread by walking the fragment again (exponential, for small documents only). */
function bruteForce(doc: DocumentNode, exclusive: string[]) {
  const frags = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) frags.set(d.name.value, d);
  // Flattens a selection set to its fields (spreads and inline fragments replaced by their fields).
  const flat = (set: SelectionSetNode): Array<{ name: string; alias: boolean; set?: SelectionSetNode }> =>
    set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return [{ name: s.name.value, alias: !!s.alias, set: s.selectionSet }];
      if (s.kind === Kind.INLINE_FRAGMENT) return flat(s.selectionSet);
      const f = frags.get(s.name.value);
      return f ? flat(f.selectionSet) : [];
    });
  const walk = (set: SelectionSetNode, level: number): { fields: number; aliases: number; depth: number } => {
    let fields = 0;
    let aliases = 0;
    let depth = level;
    for (const f of flat(set)) {
      fields++;
      if (f.alias) aliases++;
      if (f.set) {
        const inner = walk(f.set, level + 1);
        fields += inner.fields;
        aliases += inner.aliases;
        if (!f.name.startsWith('__')) depth = Math.max(depth, inner.depth);
      }
    }
    return { fields, aliases, depth };
  };
  return doc.definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    .map((op) => {
      const top = flat(op.selectionSet);
      const w = walk(op.selectionSet, 0);
      return { ...w, topFields: top.length, exclusive: exclusive.map((n) => top.filter((f) => f.name === n).length) };
    });
}

function compare(text: string, exclusive = ['nextBatch', 'runJob']) {
  const doc = parse(text);
  const got = measureDocument(doc, exclusive);
  expect(got.cycle).toBeNull();
  const want = bruteForce(doc, exclusive);
  expect(got.operations.map((o) => ({ fields: o.fields, aliases: o.aliases, depth: o.depth, topFields: o.topFields, exclusive: exclusive.map((n) => o.exclusive.get(n) ?? 0) }))).toEqual(want);
  return got;
}

const LIMITS: QueryLimits = { maxFields: 5000, maxAliases: 50, maxRootFields: 20, maxDepth: 12, onePerOperation: ['nextBatch', 'trainModel', 'runJob'] };

/** `{ projects { ...F<n> } }` with F0 = { id name } and each F<k> spreading F<k-1> twice: 2^(n+1) + 1 fields. */
function fanOut(n: number): string {
  const frags = ['fragment F0 on Project { id name }'];
  for (let k = 1; k <= n; k++) frags.push(`fragment F${k} on Project { ...F${k - 1} ...F${k - 1} }`);
  return `{ projects { ...F${n} } } ${frags.join(' ')}`;
}

/** A seeded generator (mulberry32), for the random documents. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random document: fragments that spread only earlier ones (no cycles), fields nested a few levels, aliases. */
function randomDocument(seed: number): string {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  const names = ['a', 'b', 'nextBatch', 'runJob', '__typename', 'c'];
  const selection = (fragCount: number, level: number): string => {
    const parts: string[] = [];
    const n = 1 + pick(3);
    for (let i = 0; i < n; i++) {
      const kind = pick(4);
      if (kind === 0 && fragCount > 0) parts.push(`...G${pick(fragCount)}`);
      else if (kind === 1 && level < 3) parts.push(`... on T { ${selection(fragCount, level + 1)} }`);
      else {
        const name = names[pick(names.length)];
        const alias = pick(3) === 0 ? `al${i}: ` : '';
        parts.push(level < 3 && pick(2) === 0 ? `${alias}${name} { ${selection(fragCount, level + 1)} }` : `${alias}${name}`);
      }
    }
    return parts.join(' ');
  };
  const frags: string[] = [];
  const count = pick(6);
  for (let k = 0; k < count; k++) frags.push(`fragment G${k} on T { ${selection(k, 0)} }`);
  return `query A { ${selection(count, 0)} } query B { ${selection(count, 0)} } ${frags.join(' ')}`;
}

describe('measureDocument: counts after expanding fragments, against a brute-force expansion', () => {
  test('a plain query', () => {
    const got = compare(`{ projects { id name items { edges { node { id } } } } p2: project(id: "x") { id } }`);
    expect(got.operations[0]).toMatchObject({ fields: 9, aliases: 1, topFields: 2, depth: 4 });
  });

  test('fragments, inline fragments and aliases inside them', () => {
    compare(`query Q { ...R x: projects { ...P ... on Project { y: id } } }
      fragment R on Query { a: projects { id } b: projects { ...P } }
      fragment P on Project { id ...N name }
      fragment N on Project { n1: name n2: name items { edges { cursor } } }`);
  });

  test('root fields and one-per-operation fields are counted through spreads at the root only', () => {
    const got = compare(`query { ...Two nextBatch { id } other { nextBatch } } fragment Two on Query { nextBatch { id } r: runJob { id } }`);
    expect(got.operations[0].topFields).toBe(4);
    expect(got.operations[0].exclusive.get('nextBatch')).toBe(2);
    expect(got.operations[0].exclusive.get('runJob')).toBe(1);
  });

  test('introspection fields count as fields but not as depth (their depth is the schema’s)', () => {
    const got = compare(`{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`);
    expect(got.operations[0].depth).toBe(0);
    expect(got.operations[0].fields).toBe(7);
  });

  test.each(Array.from({ length: 40 }, (_, i) => i + 1))('random document %i', (seed) => {
    compare(randomDocument(seed));
  });

  test('a fan-out of 8 levels matches the brute force; 26 levels are counted, not expanded (2^27 + 1 fields)', () => {
    compare(fanOut(8));
    const t0 = performance.now();
    const got = measureDocument(parse(fanOut(26)));
    expect(got.operations[0].fields).toBe(2 ** 27 + 1);
    expect(got.fragments.find((f) => f.name === 'F26')!.fields).toBe(2 ** 27);
    expect(performance.now() - t0).toBeLessThan(1000); // loose: the expansion would take minutes
  });

  test('counts saturate instead of overflowing', () => {
    const got = measureDocument(parse(fanOut(60)));
    expect(got.operations[0].fields).toBe(SATURATED);
    expect(Number.isSafeInteger(got.operations[0].fields)).toBe(true);
    const r = checkQueryLimits(parse(fanOut(60)), LIMITS);
    expect(r?.message).toMatch(/at least 9007199254740991 fields/);
  });

  test('a chain of 3,000 fragments is measured without overflowing the stack', () => {
    const frags = ['fragment C0 on Project { id }'];
    for (let k = 1; k < 3000; k++) frags.push(`fragment C${k} on Project { ...C${k - 1} }`);
    const got = measureDocument(parse(`{ projects { ...C2999 } } ${frags.join(' ')}`, { maxTokens: 100_000 }));
    expect(got.operations[0].fields).toBe(2);
  });
});

describe('fragment cycles', () => {
  test.each([
    ['two fragments', `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, ['A', 'B', 'A']],
    ['a fragment spreading itself', `query { ...A } fragment A on Query { x { ...A } }`, ['A', 'A']],
    ['a cycle no operation uses', `query { x } fragment C on Q { ...D } fragment D on Q { y { z { ...E } } } fragment E on Q { ...C }`, ['C', 'D', 'E', 'C']],
  ])('%s', (_label, text, cycle) => {
    expect(measureDocument(parse(text)).cycle).toEqual(cycle);
    const r = checkQueryLimits(parse(text), LIMITS);
    expect(r).toEqual({ reason: 'fragment_cycle', message: expect.stringContaining(`fragment cycle: ${cycle.join(' → ')}`) });
  });

  test('a diamond (two paths to one fragment) is not a cycle', () => {
    expect(measureDocument(parse(`query { ...A } fragment A on Q { ...B ...C } fragment B on Q { ...D } fragment C on Q { ...D } fragment D on Q { x }`)).cycle).toBeNull();
  });
});

describe('checkQueryLimits: each limit, with the environment variable named', () => {
  const aliased = (n: number, field = 'annotatorStats(projectId: "p") { annotator }') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  test('fields', () => {
    expect(checkQueryLimits(parse(fanOut(11)), LIMITS)).toBeNull(); // 4097 fields
    expect(checkQueryLimits(parse(fanOut(12)), LIMITS)).toEqual({
      reason: 'too_many_fields',
      message: 'the query has 8193 fields after expanding fragments; the limit is 5000 (LOUPE_MAX_FIELDS)',
    });
    expect(checkQueryLimits(parse(fanOut(26)), LIMITS)?.message).toBe(`the query has ${2 ** 27 + 1} fields after expanding fragments; the limit is 5000 (LOUPE_MAX_FIELDS)`);
  });

  test('an unused fragment that is too large is refused too (validation would walk it)', () => {
    const text = fanOut(13).replace('{ projects { ...F13 } }', '{ projects { id } }');
    // F12 (8192 fields) is the first fragment over the limit.
    expect(checkQueryLimits(parse(text), LIMITS)?.message).toMatch(/^fragment F12 has 8192 fields after expanding fragments; the limit is 5000 \(LOUPE_MAX_FIELDS\)$/);
  });

  test('aliases, counted through fragments', () => {
    expect(checkQueryLimits(parse(aliased(20)), LIMITS)).toBeNull();
    const r = checkQueryLimits(parse(`query Stats { ...S ...S ...S } fragment S on Query ${aliased(20)}`), LIMITS);
    expect(r).toEqual({ reason: 'too_many_aliases', message: 'operation Stats has 60 aliased fields after expanding fragments; the limit is 50 (LOUPE_MAX_ALIASES)' });
  });

  test('root fields', () => {
    const roots = (n: number) => `{ ${Array.from({ length: n }, () => 'projects { id }').join(' ')} }`;
    expect(checkQueryLimits(parse(roots(20)), LIMITS)).toBeNull();
    expect(checkQueryLimits(parse(roots(21)), LIMITS)).toEqual({ reason: 'too_many_root_fields', message: 'the query has 21 root fields after expanding fragments; the limit is 20 (LOUPE_MAX_ROOT_FIELDS)' });
  });

  test('depth, as graphql-depth-limit counted it (root fields at 0)', () => {
    const limits = { ...LIMITS, maxDepth: 4 };
    expect(checkQueryLimits(parse(`{ items { edges { node { annotations { label } } } } }`), limits)).toBeNull();
    expect(checkQueryLimits(parse(`{ items { edges { node { annotations { annotator { name } } } } } }`), limits)).toEqual({
      reason: 'too_deep',
      message: 'the query has depth 5, which exceeds maximum operation depth of 4 (LOUPE_MAX_QUERY_DEPTH)',
    });
    expect(checkQueryLimits(parse(`query D { items { ...E } } fragment E on C { edges { node { annotations { annotator { name } } } } }`), limits)?.message).toMatch(/^operation D has depth 5/);
  });

  test('one of nextBatch, trainModel, runJob per operation, naming the field', () => {
    expect(checkQueryLimits(parse(`{ nextBatch(size: 1) { items { item { id } } } projects { id } }`), LIMITS)).toBeNull();
    expect(checkQueryLimits(parse(`mutation { a: runJob(name: train) { id } b: runJob(name: drift) { id } }`), LIMITS)).toEqual({
      reason: 'one_per_operation',
      message: 'the mutation asks for runJob ×2: an operation may hold at most one of nextBatch, trainModel, runJob (send separate requests)',
    });
    expect(checkQueryLimits(parse(`mutation M { trainModel { id } ...J } fragment J on Mutation { runJob { id } }`), LIMITS)?.message).toMatch(/^operation M asks for trainModel, runJob:/);
    // Only root fields count: the same name deeper down is another field.
    expect(checkQueryLimits(parse(`{ nextBatch { id } x { nextBatch { id } } }`), LIMITS)).toBeNull();
    // Each operation on its own.
    expect(checkQueryLimits(parse(`query A { nextBatch { id } } query B { nextBatch { id } }`), LIMITS)).toBeNull();
  });
});
