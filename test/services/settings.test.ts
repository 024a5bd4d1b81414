import { applySettingsPatch, effectiveSettings, mergePatch, MAX_SETTINGS_DEPTH, scheduleOf } from '../../src/services/settings';

describe('mergePatch (RFC 7386)', () => {
  // RFC 7386, Appendix A: original, patch, result.
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  test.each(cases)('%j patched with %j is %j', (original, patch, result) => {
    const before = JSON.stringify(original);
    expect(mergePatch(original, patch)).toEqual(result);
    expect(JSON.stringify(original)).toBe(before); // inputs are not modified
  });
});

describe('settings validation', () => {
  test('defaults fill in every key; optional drift windows stay absent', () => {
    const s = effectiveSettings({});
    expect(s).toMatchObject({ leaseSeconds: 600, skipCooldownSeconds: 86400, goldRate: 0.05, requireEmbedding: false, sharedAnnotators: false, schedules: {} });
    expect(s.routing).toEqual({ autoAccept: 0.95, singleReview: 0.7, spotCheckRate: 0.05, minAgreement: 0.6, consensusVotes: 3, seed: 0 });
    expect(s.drift).not.toHaveProperty('reference');
    expect(s.drift).toMatchObject({ split: 'time', windowDays: 7, referenceDays: 30, sampleSize: 2000, permutations: 100, minAnnotations: 5 });
    expect(s.labelIssues).toEqual({ filterBy: 'prune_by_noise_rate', rankBy: 'self_confidence' });
  });

  test.each<[Record<string, unknown>, RegExp]>([
    [{ drift: { split: 'bogus' } }, /^in\.drift\.split: must be one of "time", "halves"/],
    [{ routing: { autoAccept: 7 } }, /^in\.routing\.autoAccept: must be a number in \[0, 1\]/],
    [{ leaseSeconds: 'abc' }, /^in\.leaseSeconds: must be a number in \(0, 604800\]/],
    [{ routing: { singleReview: 0.99 } }, /^in\.routing\.singleReview: .*must not exceed autoAccept/],
    [{ drift: { reference: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, current: { from: '2026-01-02T00:00:00Z', to: '2026-01-03T00:00:00Z' } } }, /^in\.drift\.reference: from must be before to/],
    [{ drift: { current: { from: '2026-01-02T00:00:00Z', to: '2026-01-03T00:00:00Z' } } }, /^in\.drift\.reference: give both/],
    [{ drift: { windowdays: 3 } }, /^in\.drift\.windowdays: unknown key/],
    [{ schedules: { nightly: '0 3 * * *' } }, /^in\.schedules\.nightly: unknown job/],
    [{ schedules: { train: 'every day' } }, /^in\.schedules\.train: must be a cron expression/],
    [{ labelIssues: { rankBy: 'vibes' } }, /^in\.labelIssues\.rankBy: must be one of "self_confidence"/],
  ])('%j is refused: %s', (patch, message) => {
    expect(() => applySettingsPatch({}, patch, 'in')).toThrow(message);
  });

  test('unknown top-level keys are kept as stored', () => {
    expect(applySettingsPatch({}, { source: 'x', demo: true, drift: { split: 'halves' } }, 'in')).toEqual({ source: 'x', demo: true, drift: { split: 'halves' } });
  });

  test('nesting deeper than the bound is refused without recursing', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => applySettingsPatch({}, { free: deep }, 'in')).toThrow(`in: nests deeper than ${MAX_SETTINGS_DEPTH} levels`);
  });

  test('scheduleOf reads overrides, "off" and stored invalid values without throwing', () => {
    const s = { schedules: { train: '0 3 * * *', metrics: 'off', drift: 'nope', route: null } };
    expect(scheduleOf(s, 'train')).toEqual({ kind: 'cron', expression: '0 3 * * *' });
    expect(scheduleOf(s, 'metrics')).toEqual({ kind: 'off' });
    expect(scheduleOf(s, 'route')).toEqual({ kind: 'off' });
    expect(scheduleOf(s, 'drift')).toEqual({ kind: 'invalid', value: 'nope' });
    expect(scheduleOf(s, 'pipeline')).toEqual({ kind: 'default' });
  });
});
