import '../production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { createCore } from '../core';
import { findJobRun } from '../db/repositories/job-run.repository';
import { findProject, findProjectByName } from '../db/repositories/project.repository';
import { JOB_NAMES, JobName } from '../jobs/job';

/**
 * `npm run job -- --project <id|name> --job pipeline`: runs one job against the configured database (DATABASE_URL,
 * or the PGlite folder — stop the server first on PGlite, one process per folder) and draws its progress on the
 * terminal (fraction, step, ETA) until it ends. Exit code 0 when it succeeded, 1 when it failed, 2 on bad arguments.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function progressLine(fraction: number, step: string | null, elapsedMs: number, width = 30): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  const eta = f > 0 && f < 1 ? ` ETA ${Math.ceil((elapsedMs * (1 - f)) / f / 1000)}s` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${step ?? ''}${eta}`;
}

async function main(): Promise<number> {
  const project = arg('--project');
  const job = arg('--job') ?? 'pipeline';
  if (!project || !(JOB_NAMES as readonly string[]).includes(job)) {
    process.stderr.write(`usage: npm run job -- --project <id|name> --job <${JOB_NAMES.join('|')}>\n`);
    return 2;
  }
  const config = { ...loadConfig(), scheduler: false, seedDemo: false, remoteWrite: undefined, logLevel: 'warn' as const };
  const core = await createCore(config);
  try {
    const p = UUID.test(project) ? await findProject(core.db, project) : await findProjectByName(core.db, project);
    if (!p) {
      process.stderr.write(`no project ${project}\n`);
      return 2;
    }
    const run = await core.runner.startManual(p.id, job as JobName);
    const t0 = Date.now();
    const tty = process.stderr.isTTY;
    let last = '';
    for (;;) {
      const r = (await findJobRun(core.db, run.id))!;
      const line = progressLine(Number(r.progress), r.step, Date.now() - t0);
      if (line !== last) process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      last = line;
      if (r.status === 'SUCCEEDED' || r.status === 'FAILED') {
        process.stderr.write(tty ? '\n' : '');
        process.stdout.write(`${job} on ${p.name}: ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s${r.error ? `: ${r.error}` : ''}\n`);
        if (r.counts) process.stdout.write(JSON.stringify(r.counts) + '\n');
        return r.status === 'SUCCEEDED' ? 0 : 1;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    await core.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(e instanceof ConfigError ? e.message + '\n' : `run-job failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
