import {
  annotatorRows,
  categoricalPsi,
  DEFAULT_DRIFT,
  driftSettings,
  driftStatusReason,
  driftWindows,
  labelRows,
  predictionRows,
  reportWindows,
  sample,
  WindowedItem,
} from '../../src/services/drift-report';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

describe('driftWindows', () => {
  const created = ['2026-01-01', '2026-01-05', '2026-01-20', '2026-01-28', '2026-01-30'].map(at);

  test('time split: the last windowDays days against the referenceDays before them', () => {
    const s = driftSettings({ drift: { windowDays: 7, referenceDays: 30 } });
    const now = at('2026-01-31');
    const w = driftWindows(created, s, now);
    expect(w.current).toEqual([3, 4]);
    expect(w.reference).toEqual([0, 1, 2]);
    expect(w.currentWindow!.from.getTime()).toBe(now.getTime() - 7 * DAY);
    expect(w.referenceWindow!.to).toEqual(w.currentWindow!.from);
  });

  test('halves: the older half against the newer half, spans from first to last item', () => {
    const w = driftWindows(created, driftSettings({ drift: { split: 'halves' } }), at('2026-02-01'));
    expect(w.reference).toEqual([0, 1]);
    expect(w.current).toEqual([2, 3, 4]);
    expect(w.referenceWindow).toEqual({ from: created[0], to: created[1] });
    expect(w.currentWindow).toEqual({ from: created[2], to: created[4] });
  });

  test('explicit windows are half-open [from, to)', () => {
    const s = driftSettings({ drift: { reference: { from: '2026-01-01', to: '2026-01-20' }, current: { from: '2026-01-20', to: '2026-02-01' } } });
    const w = driftWindows(created, s, at('2026-03-01'));
    expect(w.reference).toEqual([0, 1]);
    expect(w.current).toEqual([2, 3, 4]);
  });
});

describe('sample and categoricalPsi', () => {
  test('sample: all when small enough, else `size` distinct ids in their order, the same for the same seed', () => {
    const ids = Array.from({ length: 50 }, (_, i) => i);
    expect(sample(ids, 60, 1)).toBe(ids);
    const a = sample(ids, 10, 7);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(sample(ids, 10, 7)).toEqual(a);
  });

  test('categoricalPsi: 0 for equal mixes, finite with an empty category, symmetric in its terms', () => {
    expect(categoricalPsi([10, 20], [1, 2])).toBeCloseTo(0, 12);
    const v = categoricalPsi([10, 0], [5, 5]);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0.25);
    expect(categoricalPsi([3, 7], [7, 3])).toBeCloseTo(categoricalPsi([7, 3], [3, 7]), 12);
  });
});

describe('report rows', () => {
  const s = driftSettings({ drift: { split: 'halves', minAnnotations: 2 } });
  const windows = reportWindows({ referenceWindow: { from: at('2026-01-01'), to: at('2026-01-02') }, currentWindow: null });
  const item = (id: string, label: number | null): WindowedItem => ({ id, label, hasEmbedding: false });

  test('reportWindows: null bounds for a missing window', () => {
    expect(windows).toEqual({ referenceFrom: at('2026-01-01'), referenceTo: at('2026-01-02'), currentFrom: null, currentTo: null });
  });

  test('labelRows: chi2, psi and js over the classes; none when a window has no label', () => {
    const ref = [item('a', 0), item('b', 0), item('c', 1)];
    const cur = [item('d', 1), item('e', 1), item('f', null)];
    const rows = labelRows(ref, cur, ['x', 'y'], s, windows);
    expect(rows.map((r) => r.statistic)).toEqual(['chi2', 'psi', 'js']);
    expect(rows.every((r) => r.kind === 'LABEL' && r.referenceCount === 3 && r.currentCount === 2)).toBe(true);
    expect(rows[0].details).toMatchObject({ split: 'halves', referenceCounts: { x: 2, y: 1 }, currentCounts: { x: 0, y: 2 } });
    expect(labelRows(ref, [item('g', null)], ['x', 'y'], s, windows)).toEqual([]);
  });

  test('predictionRows: class mix and confidence PSI over predicted items only', () => {
    const probs = new Map([
      ['a', [0.9, 0.1]],
      ['b', [0.8, 0.2]],
      ['c', [0.3, 0.7]],
      ['d', [0.4, 0.6]],
    ]);
    const rows = predictionRows([item('a', null), item('b', null), item('x', null)], [item('c', null), item('d', null)], probs, { id: 'mv', classes: ['x', 'y'] }, s, windows);
    expect(rows.map((r) => r.statistic)).toEqual(['chi2', 'psi', 'js', 'psiConfidence']);
    expect(rows[0].details).toMatchObject({ modelVersionId: 'mv', referenceCounts: { x: 2, y: 0 }, currentCounts: { x: 0, y: 2 } });
    expect(rows[3]).toMatchObject({ referenceCount: 2, currentCount: 2, pvalue: null });
    expect(predictionRows([item('x', null)], [item('c', null)], probs, { id: 'mv', classes: ['x', 'y'] }, s, windows)).toEqual([]);
  });

  test('annotatorRows (halves): each annotator against their own older half; too few annotations are left out', () => {
    const anns = [
      ...[0, 0, 1, 1].map((label, i) => ({ annotator: 'ann', label, at: at(`2026-01-0${i + 1}`) })),
      { annotator: 'bob', label: 0, at: at('2026-01-01') },
    ];
    const rows = annotatorRows(anns, ['x', 'y'], s, { referenceWindow: null, currentWindow: null });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'ANNOTATOR', annotator: 'ann', statistic: 'js', referenceCount: 2, currentCount: 2, verdict: 'DRIFT' });
    expect(rows[0].value).toBeCloseTo(1, 12);
    expect(rows[0].referenceFrom).toEqual(at('2026-01-01'));
    expect(rows[0].currentTo).toEqual(at('2026-01-04'));
  });
});

describe('driftStatusReason', () => {
  const w = (items: number) => ({ from: at('2026-01-01'), to: at('2026-01-08'), items });

  test('no items, an empty window, no run yet, or nothing to say', () => {
    expect(driftStatusReason(DEFAULT_DRIFT, w(0), w(0), 0, null)).toBe('the project has no items yet');
    expect(driftStatusReason(DEFAULT_DRIFT, w(0), w(3), 3, null)).toMatch(/^the reference window \(2026-01-01 to 2026-01-08\) holds no items: .*settings\.drift\.split/);
    expect(driftStatusReason(DEFAULT_DRIFT, w(3), w(0), 3, null)).toMatch(/^the current window/);
    expect(driftStatusReason(DEFAULT_DRIFT, w(3), w(3), 6, null)).toMatch(/^no drift run yet/);
    expect(driftStatusReason(DEFAULT_DRIFT, w(3), w(3), 6, at('2026-01-09'))).toBeNull();
  });
});
