import { createRng } from '../../src/quality/rng';
import { recomputeCurrentLabels } from '../../src/services/annotation.service';
import { CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Eight clients push overlapping batches at once and re-send them as a flaky network would (a lost response →
 * the same batch again). Afterwards the database holds exactly one annotation per clientMutationId, and every
 * item's current label agrees with a recomputation from its stored annotations: the vote counts and latest review
 * that submitAnnotations keeps per item (adding each batch's votes to the locked counts) are exactly what
 * recomputeCurrentLabels rebuilds from scratch.
 */
describe('concurrent idempotent ingest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('8 clients, overlapping batches, retries: exactly one annotation per clientMutationId', async () => {
    const classes = ['a', 'b', 'c'];
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'concurrency', classes } })).data.createProject.id as string;
    const ITEMS = 150;
    await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: ITEMS }, (_, i) => ({ externalId: `x${i}` })) });

    // The universe of annotations: content is a pure function of the clientMutationId.
    const UNIVERSE = 1200;
    const annotation = (n: number) => ({
      externalId: `x${(n * 7) % ITEMS}`,
      annotator: `w${n % 9}`,
      // Items see different labels across the universe, and annotators' latest labels of an item can coincide.
      label: classes[(n * 13 + Math.floor(n / (3 * ITEMS))) % 3],
      kind: n % 23 === 0 ? 'REVIEW' : n % 17 === 0 ? 'GOLD' : 'HUMAN',
      durationMs: 100 + n,
      clientMutationId: `cm-${n}`,
    });
    const sent = new Set<number>();
    let retriesAfterError = 0;

    const client = async (c: number) => {
      const rng = createRng(100 + c);
      for (let b = 0; b < 6; b++) {
        // Overlapping batches: each client draws from a window that its neighbours also draw from.
        const start = rng.int(UNIVERSE - 200);
        const picked = new Set<number>();
        while (picked.size < 80) picked.add(start + rng.int(200));
        const batch = [...picked].map(annotation);
        picked.forEach((n) => sent.add(n));
        const attempts = 1 + rng.int(3); // 1–3 sends of the same batch: responses "lost" in between
        for (let a = 0; a < attempts; a++) {
          for (let tries = 0; ; tries++) {
            const r = await t.gql(SUBMIT, { p, a: batch });
            if (!r.errors) {
              expect(r.data.submitAnnotations.inserted + r.data.submitAnnotations.duplicates).toBe(batch.length);
              break;
            }
            // Only transient failures may be retried; anything else fails the test.
            expect(r.errors[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
            retriesAfterError++;
            if (tries > 5) throw new Error(`batch kept failing: ${r.errors[0].message}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));

    const [{ n, distinct }] = await t.sql<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT client_mutation_id)::int AS distinct FROM annotation WHERE project_id = $1`,
      [p],
    );
    expect(distinct).toBe(sent.size);
    expect(n).toBe(sent.size);
    // Every stored row has exactly the content of its clientMutationId.
    const rows = await t.sql<{ cmid: string; ext: string; name: string; label: number; kind: string }>(
      `SELECT a.client_mutation_id AS cmid, i.external_id AS ext, n.name, a.label, a.kind
       FROM annotation a JOIN item i ON i.id = a.item_id JOIN annotator n ON n.id = a.annotator_id WHERE a.project_id = $1`,
      [p],
    );
    for (const r of rows) {
      const want = annotation(Number(r.cmid.slice(3)));
      expect([r.ext, r.name, classes[r.label], r.kind]).toEqual([want.externalId, want.annotator, want.label, want.kind]);
    }
    // Every row names an annotator of its project and the key that wrote it (the database does not check these two).
    expect(rows).toHaveLength(n);
    const [{ orphans }] = await t.sql<{ orphans: number }>(
      `SELECT count(*)::int AS orphans FROM annotation a
       LEFT JOIN annotator n ON n.id = a.annotator_id AND n.project_id = a.project_id LEFT JOIN api_key k ON k.id = a.api_key_id
       WHERE a.project_id = $1 AND (n.id IS NULL OR k.id IS NULL)`,
      [p],
    );
    expect(orphans).toBe(0);
    // One annotation per (item, annotator, slot) is current (HUMAN and GOLD share the vote slot), whatever order the
    // concurrent batches committed in.
    const slots = await t.sql<{ current: number; n: number }>(
      `SELECT count(*) FILTER (WHERE x.id IS NULL)::int AS current, count(*)::int AS n
       FROM annotation a LEFT JOIN annotation_replaced x ON x.id = a.id WHERE a.project_id = $1
       GROUP BY a.item_id, a.annotator_id, CASE WHEN a.kind IN ('HUMAN', 'GOLD') THEN 'VOTE' ELSE a.kind END`,
      [p],
    );
    expect(slots.filter((r) => r.current !== 1)).toEqual([]);
    expect(slots.some((r) => r.n > 1)).toBe(true);
    // Current labels equal a recomputation from the current votes: the latest REVIEW decides (ties in time → lowest
    // index), else the HUMAN/GOLD majority, one vote per annotator (ties → lowest index).
    const mismatches = await t.sql(
      `WITH votes AS (
         SELECT item_id, label, count(*) AS c FROM annotation WHERE project_id = $1 AND kind IN ('HUMAN', 'GOLD') AND id NOT IN (SELECT id FROM annotation_replaced) GROUP BY item_id, label
       ), best AS (
         SELECT DISTINCT ON (item_id) item_id, label, c, sum(c) OVER (PARTITION BY item_id) AS total FROM votes ORDER BY item_id, c DESC, label
       ), rev AS (
         SELECT DISTINCT ON (item_id) item_id, label FROM annotation WHERE project_id = $1 AND kind = 'REVIEW' AND id NOT IN (SELECT id FROM annotation_replaced) ORDER BY item_id, created_at DESC, label
       )
       SELECT i.external_id FROM item i LEFT JOIN best b ON b.item_id = i.id LEFT JOIN rev r ON r.item_id = i.id
       WHERE i.project_id = $1 AND (i.current_label IS DISTINCT FROM COALESCE(r.label, b.label) OR i.label_votes <> COALESCE(b.total, 0)
         OR i.label_source IS DISTINCT FROM CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END)`,
      [p],
    );
    expect(mismatches).toEqual([]);
    const [{ reviewed }] = await t.sql<{ reviewed: number }>(`SELECT count(*)::int AS reviewed FROM item WHERE project_id = $1 AND label_source = 'REVIEW'`, [p]);
    expect(reviewed).toBeGreaterThan(10);

    // The state kept incrementally equals the one rebuilt from every annotation.
    const state = () =>
      t.sql(
        `SELECT id, label_counts, voters::text[] AS voters, vote_ids::text[] AS vote_ids, vote_labels, review_label, review_at,
                current_label, label_share, label_votes, label_source
         FROM item WHERE project_id = $1 ORDER BY id`,
        [p],
      );
    const kept = await state();
    const ids = kept.map((r) => r.id as string);
    await t.app.db.transaction((sql) => recomputeCurrentLabels(sql, ids));
    const rebuilt = await state();
    // Counts are padded to the number of classes when written; an item nobody voted on still has '{}'.
    const pad = (r: Record<string, unknown>) => ({ ...r, label_counts: [...(r.label_counts as number[]), 0, 0, 0].slice(0, classes.length) });
    expect(kept.map(pad)).toEqual(rebuilt.map(pad));
    expect(kept.some((r) => (r.label_counts as number[]).some((c) => c > 1))).toBe(true);
    expect(retriesAfterError).toBeLessThan(10);
  });
});
