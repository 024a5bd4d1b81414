import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboards, DATASOURCE_UID, generatedFiles } from '../../dashboards/loupe';
import { METRIC_NAMES } from '../../src/metrics/registry';

/**
 * Dashboards as code: the committed dashboards/generated/ equals what the builders produce now (drift),
 * each dashboard is Grafana dashboard JSON (uid, title, schemaVersion, panels with gridPos, type, datasource and
 * Prometheus targets), uids are stable, and every query names only metrics the registry exposes.
 */
const GENERATED = join(__dirname, '..', '..', 'dashboards', 'generated');
const EXPECTED_UIDS = ['loupe-throughput', 'loupe-agreement', 'loupe-label-quality', 'loupe-model-drift', 'loupe-jobs'];
const SUFFIXES = ['_bucket', '_sum', '_count'];

type Panel = { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource: { type: string; uid: string }; targets: Array<{ expr: string; refId: string; datasource: { uid: string } }> };

function metricOf(token: string): string | null {
  if (token in METRIC_NAMES) return token;
  for (const s of SUFFIXES) {
    const base = token.slice(0, -s.length);
    if (token.endsWith(s) && METRIC_NAMES[base as keyof typeof METRIC_NAMES] === 'histogram') return base;
  }
  return null;
}

describe('dashboards', () => {
  const files = generatedFiles();

  test('generated files equal what the code produces now (run `npm run dashboards` after changing dashboards/)', () => {
    const onDisk: Record<string, string> = {};
    const walk = (dir: string, rel = '') => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
        else onDisk[`${rel}${e.name}`] = readFileSync(join(dir, e.name), 'utf8');
      }
    };
    walk(GENERATED);
    expect(Object.keys(onDisk).sort()).toEqual(Object.keys(files).sort());
    for (const [f, content] of Object.entries(files)) expect([f, onDisk[f]]).toEqual([f, content]);
  });

  test('each dashboard is Grafana dashboard JSON with stable uids, panels and Prometheus targets', () => {
    const ds = buildDashboards();
    expect(ds.map((d) => d.model.uid)).toEqual(EXPECTED_UIDS);
    expect(buildDashboards().map((d) => JSON.stringify(d.model))).toEqual(ds.map((d) => JSON.stringify(d.model))); // deterministic
    for (const d of ds) {
      const m = JSON.parse(files[d.file]);
      expect(m).toMatchObject({ uid: expect.stringMatching(/^[a-z0-9-]{8,40}$/), title: expect.stringMatching(/^Loupe \//), editable: true, tags: ['loupe'] });
      expect(m.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(m.time).toEqual({ from: 'now-7d', to: 'now' });
      expect(m.templating.list.map((v: { name: string; type: string }) => [v.name, v.type])).toEqual([['project', 'query']]);
      const panels: Panel[] = m.panels;
      expect(panels.length).toBeGreaterThanOrEqual(3);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        expect(['timeseries', 'stat', 'table']).toContain(p.type);
        expect(p.title).toBeTruthy();
        expect(p.datasource).toEqual({ type: 'prometheus', uid: DATASOURCE_UID });
        expect(p.gridPos.w).toBeGreaterThan(0);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.expr).toMatch(/loupe_/);
          expect(t.datasource.uid).toBe(DATASOURCE_UID);
        }
        expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
      }
      // Panels do not overlap.
      for (let i = 0; i < panels.length; i++)
        for (let j = i + 1; j < panels.length; j++) {
          const a = panels[i].gridPos;
          const b = panels[j].gridPos;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect([d.file, panels[i].title, panels[j].title, overlap]).toEqual([d.file, panels[i].title, panels[j].title, false]);
        }
    }
    expect(files['provisioning/datasources/loupe.yaml']).toContain(`uid: ${DATASOURCE_UID}`);
    expect(files['provisioning/dashboards/loupe.yaml']).toContain('type: file');
  });

  test('every panel query names metrics the registry exposes, and every metric is on a dashboard', () => {
    const used = new Set<string>();
    const unknown: string[] = [];
    for (const d of buildDashboards()) {
      for (const p of JSON.parse(files[d.file]).panels as Panel[]) {
        for (const t of p.targets) {
          const tokens = t.expr.match(/\bloupe_[a-z0-9_]+/g) ?? [];
          expect(tokens.length).toBeGreaterThan(0);
          for (const tok of tokens) {
            const m = metricOf(tok);
            if (m) used.add(m);
            else unknown.push(`${d.file} / ${p.title}: ${tok}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(Object.keys(METRIC_NAMES).filter((m) => !used.has(m))).toEqual([]);
  });
});
