import { migrations } from '../../migrations';
import { LabelCounts1764700000000 } from '../../migrations/1764700000000-label-counts';
import { recomputeCurrentLabels } from '../../src/services/annotation.service';
import { CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Migration 1764700000000 adds per-item vote counts and the latest review and backfills them from the stored
 * annotations. Here it is undone and run again on a database with annotations in it: the backfilled state must equal
 * what submitAnnotations kept, and what recomputeCurrentLabels rebuilds.
 */
describe('label-counts migration on a database with annotations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const state = (p: string) =>
    t.sql(
      `SELECT external_id, label_counts, review_label, review_at, current_label, label_share, label_votes, label_source
       FROM item WHERE project_id = $1 ORDER BY external_id`,
      [p],
    );

  test('down drops the columns, up backfills exactly what ingest kept', async () => {
    const classes = ['a', 'b', 'c'];
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'backfill', classes } })).data.createProject.id as string;
    await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: 40 }, (_, i) => ({ externalId: `m${String(i).padStart(2, '0')}` })) });
    const kinds = ['HUMAN', 'HUMAN', 'GOLD', 'MODEL', 'HUMAN', 'REVIEW', 'WEAK'];
    for (let b = 0; b < 4; b++) {
      const a = Array.from({ length: 50 }, (_, k) => {
        const n = b * 50 + k;
        return { externalId: `m${String((n * 7) % 37).padStart(2, '0')}`, annotator: `w${n % 5}`, label: classes[(n * 5 + b) % 3], kind: kinds[n % 7] };
      });
      const r = await t.gql(SUBMIT, { p, a });
      expect(r.errors).toBeUndefined();
    }
    // Two REVIEWs of one item in one call share created_at: the lower class index decides.
    const tie = await t.gql(SUBMIT, {
      p,
      a: [
        { externalId: 'm00', annotator: 'r1', label: 'c', kind: 'REVIEW' },
        { externalId: 'm00', annotator: 'r2', label: 'b', kind: 'REVIEW' },
      ],
    });
    expect(tie.errors).toBeUndefined();
    const kept = await state(p);
    expect(kept[0]).toMatchObject({ external_id: 'm00', current_label: 1, review_label: 1, label_source: 'REVIEW' });
    expect(kept.filter((r) => r.label_source === 'REVIEW').length).toBeGreaterThan(3);
    expect(kept.filter((r) => r.label_source === 'MAJORITY_VOTE').length).toBeGreaterThan(3);
    expect(kept.filter((r) => r.label_source === null).length).toBeGreaterThan(0); // m37–m39 get no annotation

    const ds = t.app.db.dataSource;
    // Undo back to before the label-counts migration (and any migration after it).
    const at = migrations.indexOf(LabelCounts1764700000000);
    const undone = migrations.slice(at).map((M) => new M().name);
    for (let k = 0; k < undone.length; k++) await ds.undoLastMigration({ transaction: 'each' });
    const columns = await t.sql<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'item' AND column_name IN ('label_counts', 'review_label', 'review_at')`,
    );
    expect(columns).toEqual([]);
    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(undone);

    const backfilled = await state(p);
    // Items nobody voted on keep the default '{}'; voted ones hold one count per class.
    const pad = (r: Record<string, unknown>) => ({ ...r, label_counts: [...(r.label_counts as number[]), 0, 0, 0].slice(0, classes.length) });
    expect(backfilled.map(pad)).toEqual(kept.map(pad));

    const ids = (await t.sql<{ id: string }>(`SELECT id FROM item WHERE project_id = $1`, [p])).map((r) => r.id);
    await t.app.db.transaction((sql) => recomputeCurrentLabels(sql, ids));
    expect((await state(p)).map(pad)).toEqual(kept.map(pad));
  });
});
