/**
 * `npm run bench`: runs every bench/*.bench.ts (compiled) in its own process, one after another, so that each
 * file's peak memory is its own and the machine's two cores are not shared between benchmarks.
 *   npm run bench                 # all
 *   npm run bench -- ingest drift # only files whose name contains one of the words
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f.replace(/\.js$/, '.ts')}\n`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${f} exited with ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
