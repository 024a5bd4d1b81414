import { alignRowInto, buildLabelTable, buildWeakTable, probabilityAligner } from '../../src/quality/label-table';

describe('buildLabelTable', () => {
  test('items and annotators in order of first appearance; missing cells NaN (or the given value); null labels stay missing', () => {
    const t = buildLabelTable([
      { item_id: 'i2', annotator_id: 'b', label: 1 },
      { item_id: 'i1', annotator_id: 'a', label: 0 },
      { item_id: 'i1', annotator_id: 'b', label: null },
    ]);
    expect(t.itemIds).toEqual(['i2', 'i1']);
    expect(t.annotatorIds).toEqual(['b', 'a']);
    expect(Array.from(t.data)).toEqual([1, NaN, NaN, 0]);
    expect(Array.from(buildLabelTable([{ item_id: 'x', annotator_id: 'a', label: null }], -1).data)).toEqual([-1]);
  });

  test('no rows: an empty table', () => {
    expect(buildLabelTable([])).toEqual({ itemIds: [], annotatorIds: [], data: new Float64Array(0) });
  });
});

describe('buildWeakTable', () => {
  test('registered LFs first (a silent one is an all-abstain column), then other sources; −1 = abstain', () => {
    const t = buildWeakTable(['lf1', 'lf2', 'lf3'], [
      { item_id: 'i1', annotator_id: 'lf2', label: 1 },
      { item_id: 'i1', annotator_id: 'other', label: 0 },
      { item_id: 'i2', annotator_id: 'lf1', label: null },
      { item_id: 'i2', annotator_id: 'lf2', label: 0 },
    ]);
    expect(t.itemIds).toEqual(['i1', 'i2']);
    expect(t.annotatorIds).toEqual(['lf1', 'lf2', 'lf3', 'other']);
    expect(Array.from(t.data)).toEqual([-1, 1, -1, 0, -1, 0, -1, -1]);
  });

  test('LFs without votes: no rows, every column', () => {
    const t = buildWeakTable(['lf1'], []);
    expect(t).toEqual({ itemIds: [], annotatorIds: ['lf1'], data: new Float64Array(0) });
  });
});

describe('probabilityAligner', () => {
  test('maps model classes to project classes, drops the others and renormalises', () => {
    const align = probabilityAligner(['b', 'x', 'a'], ['a', 'b', 'c']);
    expect(Array.from(align([0.2, 0.5, 0.3])!)).toEqual([0.3 / 0.5, 0.2 / 0.5, 0]);
  });

  test('null without mass on the project classes', () => {
    expect(probabilityAligner(['x', 'a'], ['a'])([1, 0])).toBeNull();
    expect(probabilityAligner(['y'], ['a'])([1])).toBeNull();
  });
});

describe('alignRowInto', () => {
  test('writes the renormalised row at its offset and leaves the rest of the buffer alone', () => {
    const out = new Float64Array(7).fill(9);
    expect(alignRowInto([2, -1, 0], Float32Array.from([0.25, 0.5, 0.25]), out, 2, 3)).toBe(true);
    expect(Array.from(out)).toEqual([9, 9, 0.5, 0, 0.5, 9, 9]);
  });

  test('the identity mapping renormalises a float32 row exactly as dividing by its float64 sum', () => {
    const f = Float32Array.from([0.1, 0.7, 0.2000001]);
    const out = new Float64Array(3);
    alignRowInto([0, 1, 2], f, out, 0, 3);
    const s = f[0] + f[1] + f[2];
    expect(Array.from(out)).toEqual([f[0] / s, f[1] / s, f[2] / s]);
  });

  test('false and an all-zero row without mass on a kept column', () => {
    const out = new Float64Array(2).fill(9);
    expect(alignRowInto([-1, 0], [1, 0], out, 0, 2)).toBe(false);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
