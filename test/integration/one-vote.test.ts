import { migrations } from '../../migrations';
import { OneVote1764850000000 } from '../../migrations/1764850000000-one-vote';
import { recomputeCurrentLabels } from '../../src/services/annotation.service';
import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * One annotator, one vote per item: the latest HUMAN or GOLD annotation of each (item, annotator) is its vote, for the
 * current label, label_counts, consensus, annotator statistics and snapshots, with every annotation kept as history;
 * RETRACTION withdraws one annotation; an annotator belongs to the API key that first wrote for it.
 */
describe('one annotator, one vote', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  const ITEM = `query($p: ID!, $e: String!) { item(projectId: $p, externalId: $e) {
    id currentLabel { label votes voteShare source } annotations { id label kind current retracts annotator { name } } } }`;
  const RETRACT = `mutation($p: ID!, $ids: [ID!]!) { retractAnnotations(projectId: $p, ids: $ids) {
    retracted unchanged retractions { id kind label retracts current annotator { name } } } }`;
  type Ann = { id: string; label: string; kind: string; current: boolean; retracts: string | null; annotator: { name: string } };
  type Item = { id: string; currentLabel: { label: string; votes: number; voteShare: number; source: string } | null; annotations: Ann[] };

  const item = async (p: string, e: string): Promise<Item> => {
    const r = await t.gql<{ item: Item }>(ITEM, { p, e });
    expect(r.errors).toBeUndefined();
    return r.data!.item;
  };
  const submit = async (p: string, a: Array<Record<string, unknown>>, key?: string) => {
    const r = await t.gql(SUBMIT, { p, a }, key);
    expect(r.errors).toBeUndefined();
    return r.data.submitAnnotations;
  };
  const project = async (name: string, settings: Record<string, unknown> = {}) =>
    (await t.gql(CREATE_PROJECT, { input: { name, classes: ['cat', 'dog'], settings } })).data.createProject.id as string;
  const countsOf = async (p: string, e: string) =>
    (await t.sql<{ label_counts: number[]; label_votes: number }>(`SELECT label_counts, label_votes FROM item WHERE project_id = $1 AND external_id = $2`, [p, e]))[0];

  beforeAll(async () => {
    t = await startTestApp();
    for (const [name, role] of [
      ['tool1', 'LABELING_TOOL'],
      ['tool2', 'LABELING_TOOL'],
      ['qa', 'QA_LEAD'],
      ['manager', 'MANAGER'],
    ]) {
      keys[name] = (await t.gql(CREATE_KEY, { input: { name, role } })).data.createApiKey.key;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  test('an annotator who labels an item three times votes once: its latest label counts, the history stays', async () => {
    const p = await project('thrice');
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }, { externalId: 'y' }] });
    for (let k = 0; k < 3; k++) await submit(p, [{ externalId: 'x', annotator: 'ann', label: 'cat' }]);
    await submit(p, [
      { externalId: 'x', annotator: 'bo', label: 'dog' },
      { externalId: 'x', annotator: 'cy', label: 'dog' },
    ]);
    const x = await item(p, 'x');
    // Counted once, ann's cat loses 1 : 2 (counted three times it would win 3 : 2).
    expect(x.currentLabel).toEqual({ label: 'dog', votes: 3, voteShare: expect.closeTo(2 / 3, 6), source: 'MAJORITY_VOTE' });
    expect(x.annotations).toHaveLength(5);
    expect(x.annotations.map((a) => [a.annotator.name, a.current])).toEqual([
      ['ann', false],
      ['ann', false],
      ['ann', true],
      ['bo', true],
      ['cy', true],
    ]);
    expect(await countsOf(p, 'x')).toEqual({ label_counts: [1, 2], label_votes: 3 });

    // Changing one's mind replaces the vote; within one call the last row of an (item, annotator) wins.
    await submit(p, [{ externalId: 'x', annotator: 'bo', label: 'cat' }]);
    await submit(p, [
      { externalId: 'y', annotator: 'ann', label: 'dog' },
      { externalId: 'y', annotator: 'ann', label: 'cat' },
    ]);
    expect((await item(p, 'x')).currentLabel).toMatchObject({ label: 'cat', votes: 3 });
    expect(await countsOf(p, 'x')).toEqual({ label_counts: [2, 1], label_votes: 3 });
    const y = await item(p, 'y');
    expect(y.currentLabel).toMatchObject({ label: 'cat', votes: 1, voteShare: 1 });
    expect(y.annotations.map((a) => [a.label, a.current])).toEqual([
      ['dog', false],
      ['cat', true],
    ]);

    // The incremental counts equal a rebuild from the annotations.
    const cols = `id, label_counts, voters::text[] AS voters, vote_ids::text[] AS vote_ids, vote_labels, current_label, label_votes, label_share`;
    const before = await t.sql(`SELECT ${cols} FROM item WHERE project_id = $1 ORDER BY id`, [p]);
    expect(before.find((r) => (r.voters as string[]).length === 3)).toBeDefined();
    const ids = before.map((r) => r.id as string);
    await t.app.db.transaction((sql) => recomputeCurrentLabels(sql, ids));
    expect(await t.sql(`SELECT ${cols} FROM item WHERE project_id = $1 ORDER BY id`, [p])).toEqual(before);
  });

  test('consensus, annotator statistics, project statistics and snapshots count one vote per annotator', async () => {
    const p = await project('downstream');
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'z' }] });
    for (let k = 0; k < 4; k++) await submit(p, [{ externalId: 'z', annotator: 'ann', label: 'cat' }]);
    await submit(p, [
      { externalId: 'z', annotator: 'bo', label: 'dog' },
      { externalId: 'z', annotator: 'cy', label: 'dog' },
    ]);
    const stats = await t.gql(`query($p: ID!) { projectStats(projectId: $p) { annotations perClass { label annotations } } }`, { p });
    expect(stats.errors).toBeUndefined();
    expect(stats.data.projectStats.annotations).toBe(6); // history: every annotation written
    expect(stats.data.projectStats.perClass).toEqual(
      expect.arrayContaining([
        { label: 'cat', annotations: 1 },
        { label: 'dog', annotations: 2 },
      ]),
    );
    // The live majority vote (before the consensus job ran) is dog, so bo and cy agree with it and ann does not.
    const as = await t.gql(`query($p: ID!) { annotatorStats(projectId: $p) { consensusSource annotators { name annotations itemsLabeled agreementWithConsensus } } }`, { p });
    expect(as.errors).toBeUndefined();
    const byName = new Map(as.data.annotatorStats.annotators.map((a: { name: string }) => [a.name, a]));
    expect(byName.get('ann')).toMatchObject({ annotations: 4, itemsLabeled: 1, agreementWithConsensus: 0 });
    expect(byName.get('bo')).toMatchObject({ annotations: 1, itemsLabeled: 1, agreementWithConsensus: 1 });

    const snap = await t.gql(`mutation($p: ID!) { createSnapshot(projectId: $p) { id } }`, { p });
    expect(snap.errors).toBeUndefined();
    const res = await fetch(`${t.baseUrl}/export/${snap.data.createSnapshot.id}.jsonl`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.status).toBe(200);
    const [line] = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(line.label).toBe('dog');
    expect(line.lineage).toMatchObject({ votes: 3, agreeing: 2, qaStatus: 'CONSENSUS' });
    expect(line.lineage.annotationIds).toHaveLength(3);
  });

  test('retractAnnotations withdraws a vote, once; who may retract what', async () => {
    const p = await project('retract');
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'r' }] });
    const own = (await submit(p, [{ externalId: 'r', annotator: 't1', label: 'dog' }], keys.tool1)).results[0].annotation.id as string;
    const other = (await submit(p, [{ externalId: 'r', annotator: 't2', label: 'dog' }], keys.tool2)).results[0].annotation.id as string;
    await submit(p, [{ externalId: 'r', annotator: 'admin-ann', label: 'cat' }]);
    expect((await item(p, 'r')).currentLabel).toMatchObject({ label: 'dog', votes: 3 });

    // A labeling tool may retract only what its own key wrote; a MANAGER key nothing.
    expectError(await t.gql(RETRACT, { p, ids: [other] }, keys.tool1), 'FORBIDDEN', 'another API key');
    expectError(await t.gql(RETRACT, { p, ids: [own] }, keys.manager), 'FORBIDDEN');
    expect((await t.sql(`SELECT count(*)::int AS n FROM annotation WHERE project_id = $1 AND kind = 'RETRACTION'`, [p]))[0].n).toBe(0);

    const r1 = await t.gql(RETRACT, { p, ids: [own] }, keys.tool1);
    expect(r1.errors).toBeUndefined();
    const [ret] = r1.data.retractAnnotations.retractions;
    expect(r1.data.retractAnnotations).toMatchObject({ retracted: 1, unchanged: 0 });
    expect(ret).toMatchObject({ kind: 'RETRACTION', label: 'dog', retracts: own, current: false, annotator: { name: 't1' } });
    // 1 : 1 now, a tie goes to the lower class index.
    expect((await item(p, 'r')).currentLabel).toMatchObject({ label: 'cat', votes: 2 });
    expect(await countsOf(p, 'r')).toEqual({ label_counts: [1, 1], label_votes: 2 });

    // Again: nothing written, the stored retraction answers.
    const r2 = await t.gql(RETRACT, { p, ids: [own] }, keys.qa);
    expect(r2.data.retractAnnotations).toMatchObject({ retracted: 0, unchanged: 1, retractions: [{ id: ret.id }] });
    expectError(await t.gql(RETRACT, { p, ids: [ret.id] }, keys.qa), 'BAD_USER_INPUT', 'RETRACTION');
    expectError(await t.gql(RETRACT, { p, ids: ['00000000-0000-7000-8000-000000000000'] }, keys.qa), 'NOT_FOUND');
    // A QA lead retracts anyone's annotation; a RETRACTION cannot be sent through submitAnnotations.
    const r3 = await t.gql(RETRACT, { p, ids: [other] }, keys.qa);
    expect(r3.data.retractAnnotations.retracted).toBe(1);
    expect((await item(p, 'r')).currentLabel).toMatchObject({ label: 'cat', votes: 1 });
    expectError(await t.gql(SUBMIT, { p, a: [{ externalId: 'r', annotator: 'x', label: 'cat', kind: 'RETRACTION' }] }), 'BAD_USER_INPUT', 'retractAnnotations');

    // A new annotation by the same annotator votes again.
    await submit(p, [{ externalId: 'r', annotator: 't1', label: 'dog' }], keys.tool1);
    expect(await countsOf(p, 'r')).toEqual({ label_counts: [1, 1], label_votes: 2 });
    // Annotations stay append-only.
    await expect(t.sql(`UPDATE annotation SET label = 0 WHERE id = $1`, [own])).rejects.toThrow(/append-only/);
  });

  test('an annotator belongs to the key that first wrote for it', async () => {
    const p = await project('owners');
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'o1' }, { externalId: 'o2' }] });
    await submit(p, [{ externalId: 'o1', annotator: 'alice', label: 'cat' }], keys.tool1);
    const e = expectError(await t.gql(SUBMIT, { p, a: [{ externalId: 'o2', annotator: 'bob', label: 'cat' }, { externalId: 'o2', annotator: 'alice', label: 'dog' }] }, keys.tool2), 'FORBIDDEN', '"alice"');
    expect(e.extensions?.field).toBe('annotations[1].annotator');
    // Nothing of the refused call was written, not even the new annotator.
    expect(await t.sql(`SELECT n.name FROM annotator n WHERE n.project_id = $1 ORDER BY n.name`, [p])).toEqual([{ name: 'alice' }]);
    expect((await t.sql(`SELECT count(*)::int AS n FROM annotation WHERE project_id = $1`, [p]))[0].n).toBe(1);
    // The owner goes on; an ADMIN key may write for anyone.
    await submit(p, [{ externalId: 'o2', annotator: 'alice', label: 'dog' }], keys.tool1);
    await submit(p, [{ externalId: 'o2', annotator: 'alice', label: 'cat' }]);
    // With settings.sharedAnnotators, keys share the names.
    const shared = await project('shared-names', { sharedAnnotators: true });
    await t.gql(IMPORT_ITEMS, { p: shared, items: [{ externalId: 's' }] });
    await submit(shared, [{ externalId: 's', annotator: 'alice', label: 'cat' }], keys.tool1);
    await submit(shared, [{ externalId: 's', annotator: 'alice', label: 'dog' }], keys.tool2);
    expect((await item(shared, 's')).currentLabel).toMatchObject({ label: 'dog', votes: 1 });
  });

  test('the migration turns stored double votes into one vote per annotator and records owners', async () => {
    const p = await project('migrate');
    const names = Array.from({ length: 12 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    await t.gql(IMPORT_ITEMS, { p, items: names.map((externalId) => ({ externalId })) });
    const labels = ['cat', 'dog'];
    for (let round = 0; round < 3; round++) {
      await submit(
        p,
        names.flatMap((e, i) => [
          { externalId: e, annotator: `w${i % 3}`, label: labels[(i + round) % 2] },
          { externalId: e, annotator: 'steady', label: labels[i % 2] },
        ]),
        keys.tool1,
      );
    }
    await submit(p, [{ externalId: 'm00', annotator: 'rev', label: 'dog', kind: 'REVIEW' }, { externalId: 'm01', annotator: 'g', label: 'cat', kind: 'GOLD' }]);
    const state = () =>
      t.sql(
        `SELECT external_id, label_counts, voters::text[] AS voters, vote_ids::text[] AS vote_ids, vote_labels, current_label, label_votes, label_share, label_source, review_label
         FROM item WHERE project_id = $1 ORDER BY external_id`,
        [p],
      );
    const flags = () =>
      t.sql(`SELECT a.id, x.id IS NULL AS current FROM annotation a LEFT JOIN annotation_replaced x ON x.id = a.id WHERE a.project_id = $1 ORDER BY a.id`, [p]);
    const kept = await state();
    const keptFlags = await flags();
    expect(kept.every((r) => r.label_votes === 2 || r.external_id === 'm01')).toBe(true);

    const ds = t.app.db.dataSource;
    const at = migrations.indexOf(OneVote1764850000000);
    const undone = migrations.slice(at).map((M) => new M().name);
    for (let k = 0; k < undone.length; k++) await ds.undoLastMigration({ transaction: 'each' });
    // Before: every annotation votes (3 + 3 per item).
    const doubled = await t.sql(`SELECT external_id, label_votes FROM item WHERE project_id = $1 ORDER BY external_id`, [p]);
    expect(doubled.filter((r) => r.external_id !== 'm01').every((r) => r.label_votes === 6)).toBe(true);

    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(undone);
    expect(await state()).toEqual(kept);
    expect(await flags()).toEqual(keptFlags);
    const owners = await t.sql<{ name: string; owner: string | null }>(
      `SELECT n.name, k.name AS owner FROM annotator n LEFT JOIN api_key k ON k.id = n.api_key_id WHERE n.project_id = $1 ORDER BY n.name`,
      [p],
    );
    expect(owners.find((o) => o.name === 'steady')?.owner).toBe('tool1');
    expect(owners.find((o) => o.name === 'rev')?.owner).not.toBe('tool1');
  });
});
