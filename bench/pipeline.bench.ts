/**
 * Pipeline benchmark: the whole `pipeline` job (train → labelIssues → consensus → route → drift → metrics)
 * on 100,000 items × 128 dims × 10 classes, half of them labeled with 3 HUMAN annotations each, on PostgreSQL.
 * The data (seeded Gaussian blobs, 20 simulated annotators with 2–12 % label noise, 200 gold items, created_at
 * spread over 28 days) is written with direct multi-row SQL inserts; the pipeline runs through the job runner,
 * exactly as `runJob(projectId, name: pipeline)` would. Reports each step's time (job_run.steps) and the process's
 * peak RSS (the PostgreSQL server's own memory is not counted). Target: ≤ 120 s, peak RSS ≤ 4 GB.
 *
 *   npm run build && node dist/bench/pipeline.bench.js [--pg-url postgres://...] [--items 100000]
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { Client } from 'pg';
import { createCore } from '../src/core';
import { loadConfig } from '../src/config';
import { encodeFloat32 } from '../src/db/float32';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import type { JobRunRow } from '../src/services/job-run-view';
import { createRng } from '../src/quality/rng';
import { arg } from './cli';

const DIM = 128;
const K = 10;
const ANNOTATORS = 20;
const VOTES_PER_ITEM = 3;
const GOLD = 200;
const SPAN_DAYS = 28;
const CHUNK = 5000;
const SEED = 6;
const TARGET_S = 120;
const TARGET_RSS_MB = 4096;

const mb = (kb: number) => kb / 1024;

/** Writes the project, items, annotators and annotations; returns the project id. */
async function seed(url: string, n: number): Promise<{ projectId: string; annotations: number }> {
  const rng = createRng(SEED);
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const classes = Array.from({ length: K }, (_, k) => `c${k}`);
    const [{ id: projectId }] = (
      await c.query(`INSERT INTO project (name, classes, embedding_dim) VALUES ('bench-pipeline', $1, $2) RETURNING id`, [classes, DIM])
    ).rows;
    const annotatorIds: string[] = (
      await c.query(
        `INSERT INTO annotator (project_id, name, kind) SELECT $1, 'annotator-' || lpad(g::text, 2, '0'), 'HUMAN' FROM generate_series(0, ${ANNOTATORS - 1}) g ORDER BY g RETURNING id`,
        [projectId],
      )
    ).rows.map((r: { id: string }) => r.id);
    const [{ id: goldAnnotator }] = (await c.query(`INSERT INTO annotator (project_id, name, kind) VALUES ($1, 'gold', 'HUMAN') RETURNING id`, [projectId])).rows;
    // Annotator error rates 2–12 %: a few % label noise overall.
    const errorRate = Array.from({ length: ANNOTATORS }, (_, a) => 0.02 + (0.1 * a) / (ANNOTATORS - 1));
    // Class centres: N(0, 1) per dimension, points = centre + N(0, 1.5²): overlapping but learnable blobs.
    const centres = Array.from({ length: K }, () => Float32Array.from({ length: DIM }, () => rng.normal()));
    const now = Date.now();
    const t0 = now - SPAN_DAYS * 86_400_000;
    let annotations = 0;
    let goldLeft = GOLD;
    const goldEvery = Math.max(1, Math.floor(n / 2 / GOLD));
    for (let s = 0; s < n; s += CHUNK) {
      const m = Math.min(CHUNK, n - s);
      const ext: string[] = [];
      const emb: Buffer[] = [];
      const created: Date[] = [];
      const cur: (number | null)[] = [];
      const share: (number | null)[] = [];
      const votes: number[] = [];
      const source: (string | null)[] = [];
      const pending: Array<{ row: number; labels: number[]; annotators: number[]; truth: number; gold: boolean }> = [];
      for (let r = 0; r < m; r++) {
        const i = s + r;
        const truth = rng.int(K);
        const v = new Float32Array(DIM);
        const ctr = centres[truth];
        for (let d = 0; d < DIM; d++) v[d] = ctr[d] + 1.5 * rng.normal();
        ext.push(`it-${i}`);
        emb.push(encodeFloat32(v));
        created.push(new Date(t0 + ((now - t0 - 60_000) * i) / n));
        if (i % 2 === 0) {
          // Labeled: 3 distinct annotators, each wrong with its error rate (a wrong label is uniform over the others).
          const who: number[] = [];
          while (who.length < VOTES_PER_ITEM) {
            const a = rng.int(ANNOTATORS);
            if (!who.includes(a)) who.push(a);
          }
          const labels = who.map((a) => (rng.next() < errorRate[a] ? (truth + 1 + rng.int(K - 1)) % K : truth));
          const gold = goldLeft > 0 && (i / 2) % goldEvery === 0;
          if (gold) goldLeft--;
          const all = gold ? [...labels, truth] : labels;
          const count = new Map<number, number>();
          for (const l of all) count.set(l, (count.get(l) ?? 0) + 1);
          let best = -1;
          let bestN = -1;
          for (const [l, cnt] of count) if (cnt > bestN || (cnt === bestN && l < best)) { best = l; bestN = cnt; }
          cur.push(best);
          share.push(bestN / all.length);
          votes.push(all.length);
          source.push('MAJORITY_VOTE');
          pending.push({ row: r, labels, annotators: who, truth, gold });
        } else {
          cur.push(null);
          share.push(null);
          votes.push(0);
          source.push(null);
        }
      }
      const ids: string[] = (
        await c.query(
          `INSERT INTO item (project_id, external_id, embedding, created_at, updated_at, current_label, label_share, label_votes, label_source)
           SELECT $1, u.e, u.b, u.t, u.t, u.l, u.s, u.v, u.src
           FROM unnest($2::text[], $3::bytea[], $4::timestamptz[], $5::smallint[], $6::real[], $7::int[], $8::text[]) WITH ORDINALITY AS u(e, b, t, l, s, v, src, o)
           ORDER BY u.o RETURNING id`,
          [projectId, ext, emb, created, cur, share, votes, source],
        )
      ).rows.map((r: { id: string }) => r.id);
      const aItem: string[] = [];
      const aAnn: string[] = [];
      const aLabel: number[] = [];
      const aKind: string[] = [];
      const aAt: Date[] = [];
      const aDur: number[] = [];
      for (const p of pending) {
        p.annotators.forEach((a, k) => {
          aItem.push(ids[p.row]);
          aAnn.push(annotatorIds[a]);
          aLabel.push(p.labels[k]);
          aKind.push('HUMAN');
          aAt.push(new Date(created[p.row].getTime() + 1000 * (k + 1)));
          aDur.push(1000 + rng.int(20_000));
        });
        if (p.gold) {
          aItem.push(ids[p.row]);
          aAnn.push(goldAnnotator);
          aLabel.push(p.truth);
          aKind.push('GOLD');
          aAt.push(new Date(created[p.row].getTime() + 10_000));
          aDur.push(0);
        }
      }
      await c.query(
        `INSERT INTO annotation (project_id, item_id, annotator_id, label, kind, created_at, duration_ms, guideline_version)
         SELECT $1, u.i, u.a, u.l, u.k, u.t, u.d, '1' FROM unnest($2::uuid[], $3::uuid[], $4::smallint[], $5::text[], $6::timestamptz[], $7::int[]) AS u(i, a, l, k, t, d)`,
        [projectId, aItem, aAnn, aLabel, aKind, aAt, aDur],
      );
      annotations += aItem.length;
    }
    await c.query(`ANALYZE`);
    return { projectId, annotations };
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const pgBase = arg('--pg-url', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const n = Number(arg('--items', '100000'));
  const scratch = await createScratchPgDatabase(pgBase, 'loupe_bench');
  const key = 'lp_bench_admin_key_0123456789abcdef';
  const core = await createCore(
    loadConfig({ PORT: '0', LOUPE_ADMIN_KEY: key, LOUPE_SEED_DEMO: 'false', LOUPE_SCHEDULER: 'false', LOG_LEVEL: 'warn', DATABASE_URL: scratch.url }),
  );
  try {
    const ts = performance.now();
    const { projectId, annotations } = await seed(scratch.url, n);
    const seedS = (performance.now() - ts) / 1000;
    console.log(`setup (direct SQL): ${n} items × ${DIM} dims × ${K} classes, ${n / 2} labeled, ${annotations} annotations (${GOLD} GOLD) in ${seedS.toFixed(1)} s`);

    let peakKb = 0;
    const rss0 = process.resourceUsage().maxRSS;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, process.memoryUsage.rss() / 1024)), 100);
    const t0 = performance.now();
    const run = await core.runner.startManual(projectId, 'pipeline');
    await core.runner.idle();
    const wallS = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const maxRssMb = mb(process.resourceUsage().maxRSS);
    const [row] = await core.db.query<JobRunRow>(`SELECT status, error, steps, counts FROM job_run WHERE id = $1`, [run.id]);

    console.log(`\n| step | status | time | counts |\n|---|---|---|---|`);
    for (const st of row.steps ?? []) {
      const counts = st.counts ? Object.entries(st.counts).map(([k, v]) => `${k} ${v}`).join(', ') : (st.error ?? st.reason ?? '');
      console.log(`| ${st.name} | ${st.status} | ${st.ms === null ? '—' : `${(st.ms / 1000).toFixed(2)} s`} | ${counts} |`);
    }
    console.log(
      `| **pipeline** | ${row.status} | **${wallS.toFixed(1)} s** (target ≤ ${TARGET_S} s: ${wallS <= TARGET_S ? 'met' : 'NOT met'}) | ` +
        `peak RSS ${maxRssMb.toFixed(0)} MB (before the pipeline ${mb(rss0).toFixed(0)} MB, sampled during ${peakKb ? mb(peakKb).toFixed(0) : '—'} MB; ` +
        `target ≤ ${TARGET_RSS_MB} MB: ${maxRssMb <= TARGET_RSS_MB ? 'met' : 'NOT met'}) |`,
    );
    if (row.status !== 'SUCCEEDED') {
      console.log(`pipeline failed: ${row.error}`);
      process.exitCode = 1;
    }
  } finally {
    await core.close();
    await scratch.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
