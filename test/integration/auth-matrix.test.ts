import { randomUUID } from 'node:crypto';
import { CREATE_KEY, CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * The role × operation × project-scope matrix, every cell, over real HTTP.
 *
 * The expected outcome comes from the table below, written from the README's role matrix (not imported from
 * PERMISSIONS), so a wrong table in src/ fails here. Rules, in the order the service applies them:
 *   1. the project (or the key a revoke names) is out of the caller's scope, or does not exist → NOT_FOUND,
 *      before any role check, with a response identical in form for both cases;
 *   2. the role may not do the operation → FORBIDDEN;
 *   3. a project-scoped key cannot create projects or keys for every project → FORBIDDEN;
 *   4. otherwise it succeeds, and its effect is in the database.
 */

type Role = 'ADMIN' | 'ML_ENGINEER' | 'QA_LEAD' | 'MANAGER' | 'LABELING_TOOL';
type Scope = 'all' | 'A';
type Target = 'A' | 'B' | 'missing';
type Kind = 'HUMAN' | 'MODEL' | 'WEAK' | 'GOLD' | 'REVIEW';
type Op =
  | 'createProject'
  | 'updateProject'
  | 'project'
  | 'projects'
  | 'importItems'
  | `submitAnnotations:${Kind}`
  | 'retractAnnotations'
  | 'items'
  | 'item'
  | 'projectStats'
  | 'createApiKey'
  | 'createApiKey:allProjects'
  | 'revokeApiKey'
  | 'apiKeys';

const ROLES: Role[] = ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER', 'LABELING_TOOL'];
const KINDS: Kind[] = ['HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW'];
const EVERY: Role[] = ROLES;

/** The README's matrix: which roles may do what. */
const ALLOWED: Record<Op, Role[]> = {
  createProject: ['ADMIN', 'ML_ENGINEER'],
  updateProject: ['ADMIN', 'ML_ENGINEER'],
  project: EVERY,
  projects: EVERY,
  importItems: ['ADMIN', 'ML_ENGINEER'],
  'submitAnnotations:HUMAN': ['ADMIN', 'LABELING_TOOL'],
  'submitAnnotations:MODEL': ['ADMIN', 'ML_ENGINEER', 'LABELING_TOOL'],
  'submitAnnotations:WEAK': ['ADMIN', 'ML_ENGINEER'],
  'submitAnnotations:GOLD': ['ADMIN', 'QA_LEAD'],
  'submitAnnotations:REVIEW': ['ADMIN', 'QA_LEAD'],
  retractAnnotations: ['ADMIN', 'QA_LEAD', 'LABELING_TOOL'],
  items: EVERY,
  item: EVERY,
  projectStats: ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  createApiKey: ['ADMIN'],
  'createApiKey:allProjects': ['ADMIN'],
  revokeApiKey: ['ADMIN'],
  apiKeys: ['ADMIN'],
};

/** Operations about one project (for revokeApiKey: the project the revoked key is scoped to). */
const PROJECT_OPS: Op[] = [
  'updateProject',
  'project',
  'importItems',
  ...KINDS.map((k) => `submitAnnotations:${k}` as Op),
  'retractAnnotations',
  'items',
  'item',
  'projectStats',
  'createApiKey',
  'revokeApiKey',
];
const GLOBAL_OPS: Op[] = ['createProject', 'projects', 'createApiKey:allProjects', 'apiKeys'];
/** Operations that write: a refused one must leave the database as it was. */
const WRITES = new Set<Op>(['createProject', 'updateProject', 'importItems', ...KINDS.map((k) => `submitAnnotations:${k}` as Op), 'retractAnnotations', 'createApiKey', 'createApiKey:allProjects', 'revokeApiKey']);

type Outcome = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';

function expected(role: Role, scope: Scope, op: Op, target?: Target): Outcome {
  if (target === 'missing' || (target === 'B' && scope === 'A')) return 'NOT_FOUND';
  if (!ALLOWED[op].includes(role)) return 'FORBIDDEN';
  if (scope === 'A' && (op === 'createProject' || op === 'createApiKey:allProjects')) return 'FORBIDDEN';
  return 'OK';
}

const Q = {
  updateProject: `mutation($id: ID!) { updateProject(id: $id, input: {}) { id } }`,
  project: `query($id: ID!) { project(id: $id) { id name } }`,
  projects: `{ projects { id } }`,
  items: `query($p: ID!) { items(projectId: $p, first: 5) { totalCount edges { node { id } } } }`,
  item: `query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { id externalId } }`,
  projectStats: `query($p: ID!) { projectStats(projectId: $p) { items annotations } }`,
  revokeApiKey: `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`,
  apiKeys: `{ apiKeys { id projectIds revokedAt } }`,
};

describe('role × operation × project scope', () => {
  let t: TestApp;
  const project: Record<'A' | 'B', string> = { A: '', B: '' };
  const seedItem: Record<'A' | 'B', string> = { A: '', B: '' };
  const keys = {} as Record<Scope, Record<Role, { key: string; id: string }>>;
  /** `${keyId} ${target}` → an annotation for that key to retract. */
  const retractable = new Map<string, string>();
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}-${randomUUID().slice(0, 8)}`;

  const idOf = (target: Target): string => (target === 'missing' ? randomUUID() : project[target]);

  async function createKey(role: Role, projectIds: string[] | null) {
    const r = await t.gql(CREATE_KEY, { input: { name: uniq(`key-${role}`), role, projectIds } });
    expect(r.errors).toBeUndefined();
    return { key: r.data.createApiKey.key as string, id: r.data.createApiKey.apiKey.id as string };
  }

  /** Everything a refused write must leave untouched. */
  const fingerprint = async () =>
    (
      await t.sql(`SELECT
        (SELECT count(*)::int FROM project) AS projects,
        (SELECT max(updated_at)::text FROM project) AS project_updated,
        (SELECT count(*)::int FROM item) AS items,
        (SELECT count(*)::int FROM annotation) AS annotations,
        (SELECT count(*)::int FROM annotator) AS annotators,
        (SELECT count(*)::int FROM api_key) AS keys,
        (SELECT count(*)::int FROM api_key WHERE revoked_at IS NOT NULL) AS revoked`)
    )[0];

  /**
   * Calls `op` on `target` with `key`. Returns the response and a check of the effect to run when it succeeded.
   */
  async function call(op: Op, key: string, keyId: string, target?: Target, victim?: string): Promise<{ res: GqlResponse<any>; id?: string; effect: () => Promise<void> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const pid = target ? idOf(target) : '';
    const none = async () => undefined;
    if (op.startsWith('submitAnnotations:')) {
      const kind = op.split(':')[1] as Kind;
      const cmid = uniq('cm');
      const itemId = target === 'B' ? seedItem.B : seedItem.A;
      // An annotator belongs to the key that first wrote for it: each key writes under its own name.
      const res = await t.gql(SUBMIT, { p: pid, a: [{ itemId, annotator: `ann-${kind}-${keyId}`, label: 'x', kind, clientMutationId: cmid }] }, key);
      return {
        res,
        id: pid,
        effect: async () => {
          const rows = await t.sql(`SELECT project_id, kind, api_key_id FROM annotation WHERE client_mutation_id = $1`, [cmid]);
          expect(rows).toEqual([{ project_id: pid, kind, api_key_id: keyId }]);
        },
      };
    }
    switch (op) {
      case 'retractAnnotations': {
        // An annotation the caller may retract if its role allows: its own where it may write HUMAN, else the admin's.
        const ann = target === 'missing' ? randomUUID() : retractable.get(`${keyId} ${target}`)!;
        const res = await t.gql(`mutation($p: ID!, $ids: [ID!]!) { retractAnnotations(projectId: $p, ids: $ids) { retracted unchanged } }`, { p: pid, ids: [ann] }, key);
        return {
          res,
          id: pid,
          effect: async () => expect(await t.sql(`SELECT project_id FROM annotation WHERE retracts = $1 AND kind = 'RETRACTION'`, [ann])).toEqual([{ project_id: pid }]),
        };
      }
      case 'createProject': {
        const name = uniq('proj');
        const res = await t.gql(CREATE_PROJECT, { input: { name, classes: ['x', 'y'] } }, key);
        return { res, effect: async () => expect(await t.sql(`SELECT id FROM project WHERE name = $1`, [name])).toHaveLength(1) };
      }
      case 'updateProject':
        return { res: await t.gql(Q.updateProject, { id: pid }, key), id: pid, effect: none };
      case 'project':
        return { res: await t.gql(Q.project, { id: pid }, key), id: pid, effect: none };
      case 'projects':
        return { res: await t.gql(Q.projects, {}, key), effect: none };
      case 'importItems': {
        const externalId = uniq('ext');
        const res = await t.gql(IMPORT_ITEMS, { p: pid, items: [{ externalId, text: 'hello' }] }, key);
        return {
          res,
          id: pid,
          effect: async () => expect(await t.sql(`SELECT project_id FROM item WHERE external_id = $1`, [externalId])).toEqual([{ project_id: pid }]),
        };
      }
      case 'items':
        return { res: await t.gql(Q.items, { p: pid }, key), id: pid, effect: none };
      case 'item': {
        const itemId = target === 'B' ? seedItem.B : seedItem.A;
        return { res: await t.gql(Q.item, { p: pid, id: itemId }, key), id: pid, effect: none };
      }
      case 'projectStats':
        return { res: await t.gql(Q.projectStats, { p: pid }, key), id: pid, effect: none };
      case 'createApiKey': {
        const name = uniq('made');
        const res = await t.gql(CREATE_KEY, { input: { name, role: 'MANAGER', projectIds: [pid] } }, key);
        return {
          res,
          id: pid,
          effect: async () => expect(await t.sql(`SELECT project_ids FROM api_key WHERE name = $1`, [name])).toEqual([{ project_ids: [pid] }]),
        };
      }
      case 'createApiKey:allProjects': {
        const name = uniq('made-all');
        const res = await t.gql(CREATE_KEY, { input: { name, role: 'MANAGER' } }, key);
        return {
          res,
          effect: async () => expect(await t.sql(`SELECT project_ids FROM api_key WHERE name = $1`, [name])).toEqual([{ project_ids: null }]),
        };
      }
      case 'revokeApiKey': {
        if (!victim) throw new Error('revokeApiKey needs a victim');
        const res = await t.gql(Q.revokeApiKey, { id: victim }, key);
        return {
          res,
          id: victim,
          effect: async () => {
            const rows = await t.sql<{ revoked: boolean }>(`SELECT revoked_at IS NOT NULL AS revoked FROM api_key WHERE id = $1`, [victim]);
            expect(rows).toEqual([{ revoked: true }]);
          },
        };
      }
      case 'apiKeys':
        return { res: await t.gql(Q.apiKeys, {}, key), effect: none };
    }
    throw new Error(`unknown op ${op}`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['A', 'B'] as const) {
      const c = await t.gql(CREATE_PROJECT, { input: { name: `project-${name}`, classes: ['x', 'y'] } });
      project[name] = c.data.createProject.id;
      const i = await t.gql(IMPORT_ITEMS, { p: project[name], items: [{ externalId: 'seed', text: `seed of ${name}` }] });
      seedItem[name] = i.data.importItems.ids[0];
      // Labeling tools read only items handed to them (leased), so the seed item is out on a lease.
      await t.sql(`INSERT INTO lease (item_id, annotator, project_id, expires_at) VALUES ($1, 'someone', $2, now() + interval '1 day')`, [
        seedItem[name],
        project[name],
      ]);
    }
    for (const scope of ['all', 'A'] as const) {
      keys[scope] = {} as Record<Role, { key: string; id: string }>;
      for (const role of ROLES) keys[scope][role] = await createKey(role, scope === 'all' ? null : [project.A]);
    }
    // One annotation per (key, project) for retractAnnotations, written by the key itself where it may write HUMAN.
    for (const scope of ['all', 'A'] as const) {
      for (const role of ROLES) {
        const { key, id } = keys[scope][role];
        for (const target of ['A', 'B'] as const) {
          const own = (role === 'ADMIN' || role === 'LABELING_TOOL') && (scope === 'all' || target === 'A');
          const r = await t.gql(SUBMIT, { p: project[target], a: [{ itemId: seedItem[target], annotator: `r-${id}`, label: 'x' }] }, own ? key : undefined);
          expect(r.errors).toBeUndefined();
          retractable.set(`${id} ${target}`, r.data.submitAnnotations.results[0].annotation.id);
        }
      }
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The NOT_FOUND answer with the asked-for id blanked out: what a caller can learn from it. */
  const shape = (res: GqlResponse<unknown>, id: string) => JSON.stringify({ data: res.data, errors: res.errors }).split(id).join('<id>');

  describe.each(ROLES.flatMap((role) => (['all', 'A'] as const).map((scope) => [role, scope] as const)))('%s key, scope %s', (role, scope) => {
    test.each(PROJECT_OPS)('%s on project A, B and a missing project', async (op) => {
      const { key, id: keyId } = keys[scope][role];
      const notFoundShapes: string[] = [];
      for (const target of ['A', 'B', 'missing'] as const) {
        const want = expected(role, scope, op, target);
        // revokeApiKey: a fresh key scoped to the target project (made by the bootstrap admin), or an id no key has.
        const victim = op !== 'revokeApiKey' ? undefined : target === 'missing' ? randomUUID() : (await createKey('MANAGER', [idOf(target)])).id;
        const before = WRITES.has(op) ? await fingerprint() : null;
        const { res, id, effect } = await call(op, key, keyId, target, victim);
        const cell = `${role}/${scope}/${op}/${target}`;
        if (want === 'OK') {
          if (res.errors) throw new Error(`${cell}: expected success, got ${JSON.stringify(res.errors)}`);
          await effect();
          if (op === 'project') expect(res.data.project.id).toBe(project[target as 'A' | 'B']);
          if (op === 'item') expect(res.data.item.id).toBe(seedItem[target as 'A' | 'B']);
        } else {
          try {
            expectError(res, want);
          } catch (e) {
            throw new Error(`${cell}: ${(e as Error).message}`);
          }
          expect(res.data ?? null).toBeNull();
          if (before) expect(await fingerprint()).toEqual(before);
          if (want === 'NOT_FOUND') notFoundShapes.push(shape(res, id!));
        }
      }
      // B (exists, out of scope) and a missing project answer alike: the key cannot tell them apart.
      if (scope === 'A') expect(notFoundShapes).toHaveLength(2);
      if (notFoundShapes.length === 2) expect(notFoundShapes[0]).toBe(notFoundShapes[1]);
    });

    test.each(GLOBAL_OPS)('%s', async (op) => {
      const { key, id: keyId } = keys[scope][role];
      const want = expected(role, scope, op);
      const before = WRITES.has(op) ? await fingerprint() : null;
      const { res, effect } = await call(op, key, keyId);
      if (want === 'OK') {
        if (res.errors) throw new Error(`${role}/${scope}/${op}: expected success, got ${JSON.stringify(res.errors)}`);
        await effect();
        if (op === 'projects') {
          const listed = (res.data.projects as Array<{ id: string }>).map((p) => p.id).sort();
          const inScope = scope === 'A' ? [project.A] : (await t.sql<{ id: string }>(`SELECT id FROM project`)).map((r) => r.id);
          expect(listed).toEqual(inScope.sort());
        }
        if (op === 'apiKeys') {
          const listed = res.data.apiKeys as Array<{ id: string; projectIds: string[] | null }>;
          if (scope === 'A') {
            // A scoped admin sees only keys confined to its projects.
            expect(listed.length).toBeGreaterThan(0);
            for (const k of listed) expect(k.projectIds).toEqual([project.A]);
            const confined = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM api_key WHERE project_ids = ARRAY[$1]::uuid[]`, [project.A]);
            expect(listed).toHaveLength(confined[0].n);
          } else {
            const all = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM api_key`);
            expect(listed).toHaveLength(all[0].n);
          }
        }
      } else {
        expectError(res, want);
        if (before) expect(await fingerprint()).toEqual(before);
      }
    });
  });

  test('the table is the README matrix (a guard against editing both sides at once)', () => {
    const can = (op: Op) => ROLES.filter((r) => expected(r, 'all', op, 'A') === 'OK');
    expect(can('importItems')).toEqual(['ADMIN', 'ML_ENGINEER']);
    expect(can('projectStats')).toEqual(['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER']);
    expect(ROLES.filter((r) => KINDS.some((k) => ALLOWED[`submitAnnotations:${k}`].includes(r)))).toEqual(['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'LABELING_TOOL']);
    expect(can('revokeApiKey')).toEqual(['ADMIN']);
  });

  describe('authentication', () => {
    const calls: Array<[string, string, Record<string, unknown>]> = [
      ['projects', Q.projects, {}],
      ['project', Q.project, {}],
      ['projectStats', Q.projectStats, {}],
      ['items', Q.items, {}],
      ['importItems', IMPORT_ITEMS, { items: [{ externalId: 'unauth' }] }],
      ['submitAnnotations', SUBMIT, { a: [{ externalId: 'seed', annotator: 'unauth', label: 'x' }] }],
      ['createApiKey', CREATE_KEY, { input: { name: 'unauth', role: 'ADMIN' } }],
      ['apiKeys', Q.apiKeys, {}],
    ];
    const headersCases: Array<[string, Record<string, string>]> = [
      ['no Authorization header', {}],
      ['an empty header', { authorization: '' }],
      ['a Basic header', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
      ['Bearer without a key', { authorization: 'Bearer' }],
      ['Bearer with two tokens', { authorization: 'Bearer lp_abc lp_def' }],
      ['an unknown key', { authorization: `Bearer lp_${'x'.repeat(43)}` }],
    ];

    async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
      const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
      return { ...((await res.json()) as GqlResponse<unknown>), status: res.status };
    }

    test.each(headersCases)('%s → UNAUTHENTICATED on every operation, nothing written', async (_label, headers) => {
      const before = await fingerprint();
      for (const [name, query, vars] of calls) {
        const res = await post(query, { p: project.A, id: project.A, ...vars }, headers);
        if (res.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') throw new Error(`${name}: ${JSON.stringify(res)}`);
        expect(expectError(res, 'UNAUTHENTICATED').message).toMatch(/API key/);
        expect(res.data ?? null).toBeNull();
      }
      expect(await fingerprint()).toEqual(before);
    });

    test('a revoked key is refused at once on the same server, including keys it was just used with', async () => {
      const k = await createKey('ML_ENGINEER', null);
      const ok = await t.gql(Q.project, { id: project.A }, k.key);
      expect(ok.errors).toBeUndefined(); // now the key is in the server's lookup cache
      const rev = await t.gql(Q.revokeApiKey, { id: k.id });
      expect(rev.errors).toBeUndefined();
      expect(rev.data.revokeApiKey.revokedAt).toBeTruthy();
      const before = await fingerprint();
      expectError(await t.gql(Q.project, { id: project.A }, k.key), 'UNAUTHENTICATED');
      expectError(await t.gql(IMPORT_ITEMS, { p: project.A, items: [{ externalId: uniq('after-revoke') }] }, k.key), 'UNAUTHENTICATED');
      expect(await fingerprint()).toEqual(before);
      // Revoking again is harmless and keeps the first revocation time.
      const again = await t.gql(Q.revokeApiKey, { id: k.id });
      expect(again.data.revokeApiKey.revokedAt).toBe(rev.data.revokeApiKey.revokedAt);
    });

    test('a key made by a scoped admin is confined to that scope', async () => {
      const made = await t.gql(CREATE_KEY, { input: { name: uniq('by-scoped'), role: 'QA_LEAD', projectIds: [project.A] } }, keys.A.ADMIN.key);
      expect(made.errors).toBeUndefined();
      const key = made.data.createApiKey.key as string;
      expect((await t.gql(Q.project, { id: project.A }, key)).errors).toBeUndefined();
      expectError(await t.gql(Q.project, { id: project.B }, key), 'NOT_FOUND');
      const listed = await t.gql(Q.projects, {}, key);
      expect(listed.data.projects).toEqual([{ id: project.A }]);
    });

    test('a scoped admin cannot revoke a key for every project, nor one of another project', async () => {
      const global = await createKey('MANAGER', null);
      const both = await createKey('MANAGER', [project.A, project.B]);
      const before = await fingerprint();
      expectError(await t.gql(Q.revokeApiKey, { id: global.id }, keys.A.ADMIN.key), 'NOT_FOUND');
      expectError(await t.gql(Q.revokeApiKey, { id: both.id }, keys.A.ADMIN.key), 'NOT_FOUND');
      expectError(await t.gql(CREATE_KEY, { input: { name: uniq('mixed'), role: 'MANAGER', projectIds: [project.A, project.B] } }, keys.A.ADMIN.key), 'NOT_FOUND', 'input.projectIds[1]');
      expect(await fingerprint()).toEqual(before);
      expect((await t.gql(Q.project, { id: project.A }, global.key)).errors).toBeUndefined();
    });
  });
});
