/*
 * Kafka `WindowKeySchema`: a window store's binary key is [key][8-byte window start][4-byte sequence
 * number], big-endian; the same bytes are the changelog record's key, so a Java application can read it.
 * The sequence number is 0 unless the store keeps duplicates (stream-stream joins).
 */
export const SUFFIX_SIZE = 12

export function toStoreKey(key: Buffer, windowStart: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SUFFIX_SIZE)
  key.copy(out, 0)
  out.writeBigInt64BE(BigInt(windowStart), key.length)
  out.writeInt32BE(seqnum, key.length + 8)
  return out
}

export function storeKeyTimestamp(storeKey: Buffer): number {
  return Number(storeKey.readBigInt64BE(storeKey.length - SUFFIX_SIZE))
}

export function storeKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SUFFIX_SIZE)
}

/** Range bounds covering every window of `key` starting in [from, to]. */
export function keyRange(key: Buffer, from: number, to: number): [Buffer, Buffer] {
  return [toStoreKey(key, Math.max(from, 0), 0), toStoreKey(key, to, -1)]
}
