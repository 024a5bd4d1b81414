/**
 * Embeddings are stored as bytea of little-endian float32 (4 bytes a dimension).
 * pg returns bytea as Buffer, PGlite as Uint8Array: both decode here.
 */
export function encodeFloat32(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function decodeFloat32(u8: Uint8Array | null | undefined): Float32Array | null {
  if (u8 === null || u8 === undefined) return null;
  // Copy: the source may be unaligned or shared with other rows (Buffer pool).
  const copy = new Uint8Array(u8.byteLength);
  copy.set(u8);
  return new Float32Array(copy.buffer);
}

export const float32Transformer = {
  to: (v: Float32Array | null | undefined): Buffer | null => (v ? encodeFloat32(v) : null),
  from: (u8: Uint8Array | null): Float32Array | null => decodeFloat32(u8),
};
