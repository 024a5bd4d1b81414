import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generatedFiles } from './loupe';

/** `npm run dashboards`: writes dashboards/generated/ (dashboard JSON and Grafana provisioning files). */
export function writeGenerated(outDir: string): string[] {
  const files = generatedFiles();
  // Stale dashboards (renamed or removed in code) go away.
  for (const f of readdirSafe(outDir)) if (f.endsWith('.json') && !(f in files)) rmSync(join(outDir, f));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(outDir, rel)), { recursive: true });
    writeFileSync(join(outDir, rel), content);
  }
  return Object.keys(files);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

if (require.main === module) {
  const out = resolve(process.cwd(), 'dashboards', 'generated');
  for (const f of writeGenerated(out)) process.stdout.write(`wrote dashboards/generated/${f}\n`);
}
