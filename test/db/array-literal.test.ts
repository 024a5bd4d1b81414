import { boolArray, joinedIdsArray, numberArray, textArray, uuidArray } from '../../src/db/array-literal';
import { Database } from '../../src/db/database';
import { createScratchPgDatabase } from '../../src/db/scratch-database';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The literals are read back by the real database (PGlite, or PostgreSQL with DATABASE_URL) and must round-trip. */
describe('array literals for bulk parameters', () => {
  let db: Database;
  let scratch: Awaited<ReturnType<typeof createScratchPgDatabase>> | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      scratch = await createScratchPgDatabase(process.env.DATABASE_URL, 'loupe_test_arrays');
      db = await Database.open({ databaseUrl: scratch.url, dataDir: '' });
    } else {
      dir = mkdtempSync(join(tmpdir(), 'loupe-arrays-'));
      db = await Database.open({ dataDir: join(dir, 'db') });
    }
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const roundTrip = async <T>(literal: string, type: string): Promise<T[]> => {
    const rows = await db.query<{ v: T }>(`SELECT v FROM unnest($1::${type}[]) WITH ORDINALITY AS t(v, k) ORDER BY k`, [literal]);
    return rows.map((r) => r.v);
  };

  test('text: quotes, backslashes, braces, commas, spaces, newlines, unicode, empty strings, "NULL" and null', async () => {
    const xs = ['plain', 'a "quoted" word', 'back\\slash', '{braces}', 'a,b', '  spaced  ', 'line\nbreak', 'ünïcødé ✓', '', 'NULL', null, '\\"'];
    expect(await roundTrip<string | null>(textArray(xs), 'text')).toEqual(xs);
  });

  test('numbers: integers, floats, null; non-finite values are refused', async () => {
    expect(await roundTrip<number | null>(numberArray([0, -3, 2147483647, null]), 'int')).toEqual([0, -3, 2147483647, null]);
    const reals = await roundTrip<number>(numberArray([0.1, 1e-7, 1]), 'double precision');
    expect(reals).toEqual([0.1, 1e-7, 1]);
    expect(() => numberArray([1, NaN])).toThrow(/element 1/);
    expect(() => numberArray([Infinity])).toThrow(/element 0/);
  });

  test('uuids and booleans', async () => {
    const ids = ['0190f3a0-0000-7000-8000-000000000001', 'ffffffff-ffff-7fff-bfff-ffffffffffff'];
    expect(await roundTrip<string>(uuidArray(ids), 'uuid')).toEqual(ids);
    expect(await roundTrip<boolean | null>(boolArray([true, false, null]), 'bool')).toEqual([true, false, null]);
  });

  test("joined id lists: ':'-joined uuids and integers, empty strings", async () => {
    const xs = ['0190f3a0-0000-7000-8000-000000000001:ffffffff-ffff-7fff-bfff-ffffffffffff', '', '3:0:12', '7'];
    expect(await roundTrip<string>(joinedIdsArray(xs), 'text')).toEqual(xs);
    const rows = await db.query<{ v: number[] }>(`SELECT string_to_array(($1::text[])[1], ':')::smallint[] AS v`, [joinedIdsArray(['3:0:12'])]);
    expect(rows[0].v).toEqual([3, 0, 12]);
  });

  test('empty arrays', async () => {
    expect(await roundTrip(textArray([]), 'text')).toEqual([]);
    expect(await roundTrip(uuidArray([]), 'uuid')).toEqual([]);
  });
});
