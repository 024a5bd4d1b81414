import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchema, parse, validate } from 'graphql';
import { createSchema } from '../../src/schema/build-schema';

/**
 * The README's "For each of the four users" section is copy-paste material: every ```graphql block in it must be a
 * valid document against the schema the code builds, so the README cannot drift from the API.
 */
const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const SECTION_TITLE = '## For each of the four users';

function section(md: string): string {
  const start = md.indexOf(`\n${SECTION_TITLE}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION_TITLE}" section`);
  const next = md.indexOf('\n## ', start + SECTION_TITLE.length + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

function graphqlBlocks(md: string): string[] {
  return [...md.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const blocks = graphqlBlocks(section(README));
let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await createSchema();
});

test('the section has a block for the keys and each of the four users', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks.map((b, i) => [i, b.split('\n')[0], b] as const))('README block %i (%s) is valid against the schema', (_i, _first, block) => {
  const errors = validate(schema, parse(block)).map((e) => e.message);
  expect(errors).toEqual([]);
});

test('every operation of the four users appears in the section', () => {
  const doc = blocks.join('\n');
  const fields = new Set<string>();
  for (const b of blocks) {
    for (const def of parse(b).definitions) {
      if (def.kind === 'OperationDefinition') for (const sel of def.selectionSet.selections) if (sel.kind === 'Field') fields.add(sel.name.value);
    }
  }
  const named = [
    // ML engineer
    'nextBatch', 'trainModel', 'modelVersions',
    // QA lead
    'labelIssues', 'resolveLabelIssue', 'labelHealth', 'addGoldItems',
    // manager
    'projectStats', 'annotatorStats', 'agreement', 'routeCounts', 'driftReports', 'driftStatus',
    // labeling tool
    'submitAnnotations', 'releaseItems',
  ];
  expect(named.filter((f) => !fields.has(f))).toEqual([]);
  expect(doc).toContain('query'); // sanity: blocks were extracted
});

test('a broken query is caught (the check can fail)', () => {
  const errors = validate(schema, parse('query($p: ID!) { labelIssues(projectId: $p) { noSuchField } }'));
  expect(errors.length).toBeGreaterThan(0);
});
