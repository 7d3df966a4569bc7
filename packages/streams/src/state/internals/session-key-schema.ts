/*
 * Kafka `SessionKeySchema`: a session store's binary key is [key][8-byte session end][8-byte session
 * start], big-endian; the same bytes are the changelog record's key, so a Java application can read it.
 * End before start makes the key's sessions sort by end time, which is what a search by
 * "ends at or after / starts at or before" needs, and what the store is segmented by.
 */
export const SESSION_SUFFIX_SIZE = 16

/** Java's Long.MAX_VALUE, the open upper bound of session times. */
const LONG_MAX = 0x7fffffffffffffffn

/** A time as a Java long: anything at or past the largest safe integer stands for Long.MAX_VALUE. */
function long(time: number): bigint {
  return time >= Number.MAX_SAFE_INTEGER ? LONG_MAX : BigInt(time)
}

export function toSessionStoreKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX_SIZE)
  key.copy(out, 0)
  out.writeBigInt64BE(long(end), key.length)
  out.writeBigInt64BE(long(start), key.length + 8)
  return out
}

export function sessionKeyEnd(storeKey: Buffer): number {
  return Number(storeKey.readBigInt64BE(storeKey.length - SESSION_SUFFIX_SIZE))
}

export function sessionKeyStart(storeKey: Buffer): number {
  return Number(storeKey.readBigInt64BE(storeKey.length - 8))
}

export function sessionKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SESSION_SUFFIX_SIZE)
}

/**
 * Range bounds covering every session of one key that may end at or after `earliestSessionEnd` and start
 * at or before `latestSessionStart` (Kafka `lowerRangeFixedSize` / `upperRangeFixedSize`); the caller
 * still filters, since the bounds also hold longer keys sharing the prefix.
 */
export function sessionKeyRange(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): [Buffer, Buffer] {
  return [
    toSessionStoreKey(key, 0, Math.max(0, earliestSessionEnd)),
    toSessionStoreKey(key, latestSessionStart, Number.MAX_SAFE_INTEGER),
  ]
}

/** Kafka `OrderedBytes.lowerRange(keyFrom, 16 zero bytes)`: below every session of keys >= keyFrom. */
export function sessionLowerRange(keyFrom: Buffer): Buffer {
  return Buffer.concat([keyFrom, Buffer.alloc(SESSION_SUFFIX_SIZE)])
}

/**
 * Kafka `OrderedBytes.upperRange(keyTo, [Long.MAX_VALUE][latestSessionStart])`, byte for byte: the key's
 * first byte and then its bytes while they are >= 0x7f (the suffix's first byte), followed by the suffix.
 * It is Java's scan bound for key ranges, kept identical so that both scan the same entries.
 */
export function sessionUpperRange(keyTo: Buffer, latestSessionStart: number): Buffer {
  let i = 0
  while (i < keyTo.length && (i < 1 || (keyTo[i] as number) >= 0x7f)) i++
  const out = Buffer.allocUnsafe(i + SESSION_SUFFIX_SIZE)
  keyTo.copy(out, 0, 0, i)
  out.writeBigInt64BE(LONG_MAX, i)
  out.writeBigInt64BE(long(latestSessionStart), i + 8)
  return out
}
