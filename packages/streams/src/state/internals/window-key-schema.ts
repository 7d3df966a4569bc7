import type { KeySchema } from './segmented-bytes-store.ts'
import { compareKeyPart, lowerRange, readLong, upperRange } from './ordered-bytes.ts'
import { writeInt64BE } from '../../serde/internals/int64.ts'

/*
 * Kafka `WindowKeySchema`: a window store's binary key is [key][8-byte window start][4-byte sequence
 * number], big-endian; the same bytes are the changelog record's key, so a Java application can read it.
 * The sequence number is 0 unless the store keeps duplicates (stream-stream joins).
 */
export const SUFFIX_SIZE = 12

const INT_MAX = 0x7fffffff

export function toStoreKey(key: Buffer, windowStart: number, seqnum: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SUFFIX_SIZE)
  key.copy(out, 0)
  writeInt64BE(out, windowStart, key.length)
  out.writeInt32BE(seqnum, key.length + 8)
  return out
}

export function storeKeyTimestamp(storeKey: Buffer): number {
  return readLong(storeKey, storeKey.length - SUFFIX_SIZE)
}

export function storeKeyKey(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SUFFIX_SIZE)
}

/** Kafka `WindowKeySchema` as the segmented store and its cache search with it: segments by window start. */
export const windowKeySchema: KeySchema = {
  suffixSize: SUFFIX_SIZE,
  emptyWhenToBeforeFrom: true,
  segmentTimestamp: storeKeyTimestamp,
  lowerRange: (key) => lowerRange(key, SUFFIX_SIZE),
  upperRange(key, to) {
    const suffix = Buffer.allocUnsafe(SUFFIX_SIZE)
    writeInt64BE(suffix, to, 0)
    suffix.writeInt32BE(INT_MAX, 8)
    return upperRange(key, suffix)
  },
  lowerRangeFixedSize: (key, from) => toStoreKey(key, Math.max(0, from), 0),
  upperRangeFixedSize: (key, to) => toStoreKey(key, to, INT_MAX),
  searchTo: (to) => to,
  matches(storeKey, keyFrom, keyTo, from, to) {
    if (storeKey.length < SUFFIX_SIZE) return false
    if (keyFrom !== undefined && compareKeyPart(storeKey, SUFFIX_SIZE, keyFrom) < 0) return false
    if (keyTo !== undefined && compareKeyPart(storeKey, SUFFIX_SIZE, keyTo) > 0) return false
    const time = storeKeyTimestamp(storeKey)
    return time >= from && time <= to
  },
}
