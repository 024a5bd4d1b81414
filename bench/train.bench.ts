/**
 * The built-in model's training task (what the `train` job runs on its compute thread), end to end: features,
 * L2 choice, 5-fold cross-validation, pool scoring. Standalone:
 * `npx tsc -p tsconfig.build.json && node dist/bench/train.bench.js [case] [runs]`.
 *
 * - `digits-raw`: digits (test/fixtures/data/digits.csv, 1,797 × 64, pixel counts 0–16, 10 classes) as a client
 *   would send them, every item labeled, no pool. Reports time, cross-validated accuracy and log loss (compare
 *   with ln 10 = 2.30, the uniform prediction), the chosen L2.
 * - `digits-16`: the same pixels ÷ 16.
 * - `blobs`: 20,000 × 128 Gaussian blobs, 10 classes (centres N(0, 0.35²·I) · 8 + 40, unit noise · 8: not of unit
 *   scale), 16,000 labeled and 4,000 pool items.
 * Without a case, all three. Median of `runs` (default 3).
 */
import '../src/production-env';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, TrainInput } from '../src/compute/tasks';
import { createRng } from '../src/quality/rng';

function digits(scale: number): TrainInput {
  const lines = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'data', 'digits.csv'), 'utf8').trim().split('\n').slice(1);
  const labeled = new Float32Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((l, i) => {
    const v = l.split(',').map(Number);
    for (let j = 0; j < 64; j++) labeled[i * 64 + j] = v[j] / scale;
    labels[i] = v[64];
  });
  return { tfBackend: 'auto', numClasses: 10, folds: 5, seed: 0, labels, embeddings: { dim: 64, labeled, pool: new Float32Array(0) } };
}

function blobs(): TrainInput {
  const n = 20_000;
  const d = 128;
  const k = 10;
  const rng = createRng(1);
  const centres = Float32Array.from({ length: k * d }, () => 0.35 * rng.normal());
  const X = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(k);
    for (let j = 0; j < d; j++) X[i * d + j] = (centres[y[i] * d + j] + rng.normal()) * 8 + 40;
  }
  const nl = 16_000;
  return { tfBackend: 'auto', numClasses: k, folds: 5, seed: 0, labels: y.slice(0, nl), embeddings: { dim: d, labeled: X.slice(0, nl * d), pool: X.slice(nl * d) } };
}

async function main(): Promise<void> {
  const which = process.argv[2];
  const runs = Number(process.argv[3] ?? 3);
  const cases: Array<[string, () => TrainInput]> = [
    ['digits-raw', () => digits(1)],
    ['digits-16', () => digits(16)],
    ['blobs', blobs],
  ];
  for (const [name, make] of cases) {
    if (which && which !== name) continue;
    const times: number[] = [];
    let out: Awaited<ReturnType<(typeof TASKS)['train']>> | null = null;
    for (let r = 0; r < runs; r++) {
      const input = make();
      const t0 = Date.now();
      out = await TASKS.train(input, () => undefined);
      times.push(Date.now() - t0);
    }
    times.sort((a, b) => a - b);
    const o = out! as typeof out & { l2?: number };
    console.log(
      `| train ${name} | ${times[Math.floor(times.length / 2)]} ms median (${times.join(', ')}) | accuracy ${o.accuracy.toFixed(3)} | log loss ${o.logLoss.toFixed(3)} | l2 ${o.l2 ?? 'default 1e-4'} | ${o.backend} |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
