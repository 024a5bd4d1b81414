import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSchema, printLoupeSchema } from '../schema/build-schema';

/** Writes schema.graphql at the repository root (`npm run schema`); a test fails when it drifts from the code. */
async function main(): Promise<void> {
  const out = join(__dirname, '..', '..', '..', 'schema.graphql');
  writeFileSync(out, printLoupeSchema(await createSchema()));
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack) + '\n');
  process.exit(1);
});
