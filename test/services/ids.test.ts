import { isUuid, uuidv7 } from '../../src/services/ids';

describe('uuidv7', () => {
  test('RFC 9562 layout: version 7, variant 10, the current Unix milliseconds in the first 48 bits', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  test('ids made one after another sort in the order they were made, and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  test('the random tail varies (62 bits from the CSPRNG)', () => {
    const tails = new Set(Array.from({ length: 5000 }, () => uuidv7().slice(19)));
    expect(tails.size).toBe(5000);
    // Every hex digit shows up in the last 12 characters across a few thousand ids.
    const digits = new Set([...tails].join('').replace(/-/g, '').split(''));
    expect(digits.size).toBe(16);
  });
});

test('more ids than the 12-bit counter holds in one millisecond still come out in order', () => {
  const t0 = Date.now();
  const ids = Array.from({ length: 10_000 }, () => uuidv7(t0)); // the clock "stands still" for 10,000 ids
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  // The overflow was carried into the time: the last id is stamped a few milliseconds after t0.
  const ms = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  expect(ms(ids[0])).toBe(t0);
  expect(ms(ids[ids.length - 1])).toBeGreaterThan(t0);
  expect(ms(ids[ids.length - 1])).toBeLessThanOrEqual(t0 + 4);
});
