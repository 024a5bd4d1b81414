import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Prometheus (Debian package `prometheus`) on a free loopback port with a temporary storage folder and
 * --web.enable-remote-write-receiver, behind basic auth, for the remote-write tests. Null when the binary is absent.
 */
export interface TestPrometheus {
  url: string;
  username: string;
  password: string;
  /** Instant query through the HTTP API (with the basic auth). */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export const PROMETHEUS_USER = 'loupe';
export const PROMETHEUS_PASSWORD = 'loupe-rw-secret';
/** bcrypt (cost 4) of PROMETHEUS_PASSWORD, as Prometheus's web config wants. */
const PASSWORD_BCRYPT = '$2b$04$52CHzjNxvew.A2qmInyXQupMlY8ptkfkvviZY6xRzslI4xWfoogp6';

export function prometheusBinary(): string | null {
  for (const p of [process.env.PROMETHEUS_BIN, 'prometheus', '/usr/bin/prometheus'].filter(Boolean) as string[]) {
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return p;
    } catch {
      // next
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(): Promise<TestPrometheus | null> {
  const bin = prometheusBinary();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'loupe-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  ${PROMETHEUS_USER}: '${PASSWORD_BCRYPT}'\n`);
  const auth = 'Basic ' + Buffer.from(`${PROMETHEUS_USER}:${PROMETHEUS_PASSWORD}`).toString('base64');
  let proc: ChildProcess | null = null;
  let url = '';
  let log = '';
  for (let attempt = 0; attempt < 3 && !proc; attempt++) {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const p = spawn(
      bin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--web.config.file=${join(dir, 'web.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    p.stdout!.on('data', (d) => (log += d));
    p.stderr!.on('data', (d) => (log += d));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && p.exitCode === null) {
      const ready = await fetch(`${url}/-/ready`, { headers: { authorization: auth } }).then((r) => r.ok, () => false);
      if (ready) {
        proc = p;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!proc) p.kill('SIGKILL');
  }
  if (!proc) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`prometheus did not start:\n${log.slice(-2000)}`);
  }
  const running = proc;
  return {
    url,
    username: PROMETHEUS_USER,
    password: PROMETHEUS_PASSWORD,
    query: async (promql) => {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { headers: { authorization: auth } });
      const body = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
      return body.data.result;
    },
    stop: async () => {
      if (running.exitCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        running.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (running.exitCode === null) running.kill('SIGKILL');
      }
      running.stdout?.destroy();
      running.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
