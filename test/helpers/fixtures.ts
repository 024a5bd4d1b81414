import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a reference fixture from test/fixtures (copied from shared/data/fixtures; see its README for provenance). */
export function loadFixture<T = any>(name: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')) as T;
}

/** Path of a file under test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(__dirname, '..', 'fixtures', ...parts);
}

/** Finds the recorded calls of `fn` (fully qualified name) whose kwargs include `match`. */
export function findCalls(fixture: { calls: Array<{ function: string; kwargs: Record<string, unknown> }> }, fn: string, match: Record<string, unknown> = {}) {
  return fixture.calls.filter((c) => c.function === fn && Object.entries(match).every(([k, v]) => JSON.stringify(c.kwargs?.[k]) === JSON.stringify(v)));
}

/**
 * Asserts |actual - expected| <= atol + rtol*|expected| elementwise (numbers, arrays, nested arrays, typed arrays).
 * `null` in expected means NaN.
 */
export function expectClose(actual: unknown, expected: unknown, atol = 1e-6, rtol = 0, path = '$'): void {
  if (expected === null || (typeof expected === 'number' && Number.isNaN(expected))) {
    if (!(typeof actual === 'number' && Number.isNaN(actual)) && actual !== null) {
      throw new Error(`${path}: expected NaN, got ${String(actual)}`);
    }
    return;
  }
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
      throw new Error(`${path}: expected ${expected}, got ${String(actual)} (atol ${atol}, rtol ${rtol})`);
    }
    return;
  }
  const exp = Array.from(expected as ArrayLike<unknown>);
  const act = Array.from(actual as ArrayLike<unknown>);
  if (act.length !== exp.length) throw new Error(`${path}: expected length ${exp.length}, got ${act.length}`);
  for (let i = 0; i < exp.length; i++) expectClose(act[i], exp[i], atol, rtol, `${path}[${i}]`);
}
