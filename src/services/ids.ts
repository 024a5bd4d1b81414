import { randomBytes } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot name a stored row (and must not reach SQL as a uuid). */
export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && UUID_RE.test(s);
}

let lastMs = 0;
let seq = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562): 48-bit Unix milliseconds, then a 12-bit counter within the millisecond,
 * then random bits. Rows written together land next to each other in the primary-key index, which keeps bulk
 * inserts cheap; ids are still unguessable enough for an internal key (62 random bits).
 */
export function uuidv7(): string {
  const now = Date.now();
  if (now === lastMs) seq = (seq + 1) & 0xfff;
  else {
    lastMs = now;
    seq = randomBytes(2).readUInt16BE(0) & 0x7ff;
  }
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
