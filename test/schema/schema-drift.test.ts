import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSchema, printLoupeSchema } from '../../src/schema/build-schema';

test('schema.graphql is what the code emits (run `npm run schema` after an API change)', async () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
  expect(printLoupeSchema(await createSchema())).toBe(committed);
});
