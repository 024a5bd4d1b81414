import { etaSecondsOf } from '../../src/services/job-run-view';

describe('job ETA (linear extrapolation from progress)', () => {
  const started = new Date(1_000_000);
  test('a quarter done after 10 s leaves 30 s', () => {
    expect(etaSecondsOf('RUNNING', 0.25, started, 1_010_000)).toBeCloseTo(30, 10);
  });
  test('no estimate before any progress, when done, or when not running', () => {
    expect(etaSecondsOf('RUNNING', 0, started, 1_010_000)).toBeNull();
    expect(etaSecondsOf('RUNNING', 1, started, 1_010_000)).toBeNull();
    expect(etaSecondsOf('SUCCEEDED', 0.5, started, 1_010_000)).toBeNull();
    expect(etaSecondsOf('RUNNING', 0.5, null, 1_010_000)).toBeNull();
  });
});
