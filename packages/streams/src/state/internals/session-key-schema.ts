import { compareKeyPart, lowerRange, readLong, upperRange } from './ordered-bytes.ts'
import type { KeySchema } from './segmented-bytes-store.ts'

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
  return readLong(storeKey, storeKey.length - SESSION_SUFFIX_SIZE)
}

export function sessionKeyStart(storeKey: Buffer): number {
  return readLong(storeKey, storeKey.length - 8)
}

export function sessionKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SESSION_SUFFIX_SIZE)
}

/**
 * Kafka `SessionKeySchema` as the segmented store and its cache search with it: segments by session end.
 * A search for sessions ending at or after `from` and starting at or before `to` visits every segment from
 * `from` on, since a session starting before `to` may end at any later time.
 */
export const sessionKeySchema: KeySchema = {
  suffixSize: SESSION_SUFFIX_SIZE,
  emptyWhenToBeforeFrom: false,
  segmentTimestamp: sessionKeyEnd,
  lowerRange: (key) => lowerRange(key, SESSION_SUFFIX_SIZE),
  upperRange(key, to) {
    const suffix = Buffer.allocUnsafe(SESSION_SUFFIX_SIZE)
    suffix.writeBigInt64BE(LONG_MAX, 0)
    suffix.writeBigInt64BE(long(to), 8)
    return upperRange(key, suffix)
  },
  lowerRangeFixedSize: (key, from) => toSessionStoreKey(key, 0, Math.max(0, from)),
  upperRangeFixedSize: (key, to) => toSessionStoreKey(key, to, Number.MAX_SAFE_INTEGER),
  searchTo: () => Number.MAX_SAFE_INTEGER,
  matches(storeKey, keyFrom, keyTo, from, to) {
    if (storeKey.length < SESSION_SUFFIX_SIZE) return false
    if (keyFrom !== undefined && compareKeyPart(storeKey, SESSION_SUFFIX_SIZE, keyFrom) < 0) return false
    if (keyTo !== undefined && compareKeyPart(storeKey, SESSION_SUFFIX_SIZE, keyTo) > 0) return false
    return sessionKeyEnd(storeKey) >= from && sessionKeyStart(storeKey) <= to
  },
}
