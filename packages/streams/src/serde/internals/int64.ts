// 64-bit big-endian integers (Java longs: timestamps, counts, window bounds) as JavaScript numbers, written
// and read as two 32-bit halves. Buffer's BigInt64 methods need a BigInt per value, which on the per-record
// path of a count was about 8 % of the time (CPU profile); these stay on numbers. Exact for safe integers.

const twoTo32 = 4294967296

/** Writes a safe integer as a signed 64-bit big-endian value at `offset`; returns the offset after it. */
export function writeInt64BE(buffer: Buffer, value: number, offset: number): number {
  const high = Math.floor(value / twoTo32)
  buffer.writeInt32BE(high, offset)
  buffer.writeUInt32BE(value - high * twoTo32, offset + 4)
  return offset + 8
}

/**
 * Reads a signed 64-bit big-endian value at `offset`. A value outside the safe integers comes back
 * rounded: callers that must refuse those check with `Number.isSafeInteger`.
 */
export function readInt64BE(buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * twoTo32 + buffer.readUInt32BE(offset + 4)
}
