import { randomFillSync } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot name a stored row (and must not reach SQL as a uuid). */
export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID_RE.test(s);
}

let lastMs = 0;
let seq = 0;

/** Random bytes drawn from the CSPRNG a pool at a time: one call per 512 ids rather than one per id. */
const POOL = Buffer.alloc(8 * 512);
let poolAt = POOL.length;
function random8(): number {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 8;
  return at;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A time-ordered UUID (version 7, RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter within the millisecond
 * (RFC 9562's method 1, its overflow carried into the time), then random bits. Rows written together land next to each
 * other in the primary-key index, which keeps bulk inserts cheap; ids are still unguessable enough for an internal key
 * (62 random bits). `now` is a parameter only so tests can hold the clock still.
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    const s = random8();
    seq = POOL[s] | ((POOL[s + 1] & 0x07) << 8); // a random start below 0x800 leaves room to count up
  } else if (++seq > 0xfff) {
    // More than the counter holds in one millisecond (or the clock stepped back): borrow the next millisecond,
    // so ids stay in the order they were made.
    lastMs++;
    seq = 0;
  }
  const r = random8();
  const hi = Math.floor(lastMs / 0x10000); // the top 32 of the 48 time bits
  const lo = lastMs % 0x10000;
  return (
    HEX[(hi >>> 24) & 0xff] + HEX[(hi >>> 16) & 0xff] + HEX[(hi >>> 8) & 0xff] + HEX[hi & 0xff] + '-' +
    HEX[lo >>> 8] + HEX[lo & 0xff] + '-' +
    HEX[0x70 | (seq >> 8)] + HEX[seq & 0xff] + '-' +
    HEX[0x80 | (POOL[r] & 0x3f)] + HEX[POOL[r + 1]] + '-' +
    HEX[POOL[r + 2]] + HEX[POOL[r + 3]] + HEX[POOL[r + 4]] + HEX[POOL[r + 5]] + HEX[POOL[r + 6]] + HEX[POOL[r + 7]]
  );
}
