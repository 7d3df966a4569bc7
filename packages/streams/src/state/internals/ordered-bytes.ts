/*
 * Kafka `OrderedBytes`: the scan bounds of a key range over store keys that are [key][fixed-size suffix]
 * (window and session stores). Keys of other lengths sort in between, so the bounds only narrow the scan
 * and the caller still checks each entry's key.
 */

/** Below every store key of keys >= `key`: the key followed by a suffix of zeros. */
export function lowerRange(key: Buffer, suffixSize: number): Buffer {
  const out = Buffer.alloc(key.length + suffixSize)
  key.copy(out, 0)
  return out
}

/**
 * Kafka's upper bound for keys <= `key`, byte for byte: when the suffix starts with a non-zero byte, the
 * key's first byte and then its bytes while they are >= that byte, followed by `maxSuffix`; otherwise the
 * whole key and `maxSuffix`. Kept identical so that a range scans the same entries as Kafka's.
 */
export function upperRange(key: Buffer, maxSuffix: Buffer): Buffer {
  const first = maxSuffix[0] as number
  let n = key.length
  if (first !== 0) {
    n = 0
    while (n < key.length && (n < 1 || (key[n] as number) >= first)) n++
  }
  const out = Buffer.allocUnsafe(n + maxSuffix.length)
  key.copy(out, 0, 0, n)
  maxSuffix.copy(out, n)
  return out
}

/** A big-endian 8-byte signed long as a number (exact up to 2^53, like `Number(readBigInt64BE)` beyond). */
export function readLong(bytes: Buffer, offset: number): number {
  // byte arithmetic: this runs for every entry a store search visits, and skips readInt32BE's checks
  const hi =
    (((bytes[offset] as number) << 24) |
      ((bytes[offset + 1] as number) << 16) |
      ((bytes[offset + 2] as number) << 8) |
      (bytes[offset + 3] as number)) >>>
    0
  const lo =
    (((bytes[offset + 4] as number) << 24) |
      ((bytes[offset + 5] as number) << 16) |
      ((bytes[offset + 6] as number) << 8) |
      (bytes[offset + 7] as number)) >>>
    0
  return (hi >= 0x80000000 ? hi - 0x100000000 : hi) * 0x100000000 + lo
}

/**
 * Compares the key part of a store key ([key][suffix of `suffixSize` bytes]) with `key`, as unsigned
 * bytes. A loop for short keys: it runs for every entry a search visits, and `Buffer.compare` with
 * offsets costs more than the comparison itself there.
 */
export function compareKeyPart(storeKey: Buffer, suffixSize: number, key: Buffer): number {
  const n = storeKey.length - suffixSize
  const m = key.length
  if (n > 32 && m > 32) return storeKey.compare(key, 0, m, 0, n)
  const common = n < m ? n : m
  for (let i = 0; i < common; i++) {
    const d = (storeKey[i] as number) - (key[i] as number)
    if (d !== 0) return d
  }
  return n - m
}

/** Compares two byte strings as unsigned bytes, `Buffer.compare` with a loop for short ones (see above). */
export function compareBytes(a: Buffer, b: Buffer): number {
  const n = a.length
  const m = b.length
  if (n > 32 && m > 32) return Buffer.compare(a, b)
  const common = n < m ? n : m
  for (let i = 0; i < common; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return n - m
}
