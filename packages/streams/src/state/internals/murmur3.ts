/**
 * Kafka `Murmur3.hash128` (the x64 128-bit MurmurHash3 Kafka took from Hive), seed 104729: the hash a
 * foreign-key join puts in its subscriptions to recognise stale responses. The result is the 16 bytes
 * Kafka writes for it, `h1` then `h2`, each big-endian (`ByteBuffer.putLong`), so hashes compare and
 * travel as plain buffers.
 *
 * JavaScript has no 64-bit integer arithmetic short of BigInt, which allocates on every operation; the
 * 64-bit lanes are kept here as pairs of unsigned 32-bit halves in module-level registers instead, so a
 * hash allocates only its result.
 */
export const MURMUR3_DEFAULT_SEED = 104729

// 64-bit constants as [high, low] halves
const C1_HI = 0x87c37b91
const C1_LO = 0x114253d5
const C2_HI = 0x4cf5ad43
const C2_LO = 0x2745937f
const N1 = 0x52dce729
const N2 = 0x38495ab5
const F1_HI = 0xff51afd7
const F1_LO = 0xed558ccd
const F2_HI = 0xc4ceb9fe
const F2_LO = 0x1a85ec53

// the result register of the 64-bit helpers below
let rh = 0
let rl = 0

/** (ah, al) * (bh, bl) mod 2^64 into (rh, rl). */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const p01 = a0 * b1
  const p10 = a1 * b0
  // the high half of al * bl, from 16-bit partial products that doubles hold exactly
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)
  rh = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
  rl = Math.imul(al, bl) >>> 0
}

/** Rotates (h, l) left by r bits (0 < r < 64, r !== 32) into (rh, rl). */
function rotl(h: number, l: number, r: number): void {
  if (r > 32) {
    const t = h
    h = l
    l = t
    r -= 32
  }
  rh = ((h << r) | (l >>> (32 - r))) >>> 0
  rl = ((l << r) | (h >>> (32 - r))) >>> 0
}

/** (ah, al) + (bh, bl) mod 2^64 into (rh, rl). */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl
  rl = lo >>> 0
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0
}

/** Kafka `Murmur3.fmix64` of (h, l) into (rh, rl). */
function fmix(h: number, l: number): void {
  l = (l ^ (h >>> 1)) >>> 0
  mul(h, l, F1_HI, F1_LO)
  h = rh
  l = (rl ^ (h >>> 1)) >>> 0
  mul(h, l, F2_HI, F2_LO)
  h = rh
  rl = (rl ^ (h >>> 1)) >>> 0
}

/** Kafka `Murmur3.hash128(data)`: 16 bytes, `h1` then `h2`, big-endian. */
export function murmur3Hash128(data: Uint8Array, seed: number = MURMUR3_DEFAULT_SEED): Buffer {
  const length = data.length
  const view = Buffer.from(data.buffer, data.byteOffset, length)
  // a Java int seed widens to a long with its sign
  const seedHi = seed < 0 ? 0xffffffff : 0
  let h1h = seedHi
  let h1l = seed >>> 0
  let h2h = seedHi
  let h2l = seed >>> 0
  const nblocks = length >>> 4
  for (let i = 0; i < nblocks; i++) {
    const at = i << 4
    // k1 *= C1; k1 = rotl(k1, 31); k1 *= C2; h1 ^= k1
    mul(view.readUInt32LE(at + 4), view.readUInt32LE(at), C1_HI, C1_LO)
    rotl(rh, rl, 31)
    mul(rh, rl, C2_HI, C2_LO)
    h1h = (h1h ^ rh) >>> 0
    h1l = (h1l ^ rl) >>> 0
    // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + N1
    rotl(h1h, h1l, 27)
    add(rh, rl, h2h, h2l)
    mul(rh, rl, 0, 5)
    add(rh, rl, 0, N1)
    h1h = rh
    h1l = rl
    // k2 *= C2; k2 = rotl(k2, 33); k2 *= C1; h2 ^= k2
    mul(view.readUInt32LE(at + 12), view.readUInt32LE(at + 8), C2_HI, C2_LO)
    rotl(rh, rl, 33)
    mul(rh, rl, C1_HI, C1_LO)
    h2h = (h2h ^ rh) >>> 0
    h2l = (h2l ^ rl) >>> 0
    // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + N2
    rotl(h2h, h2l, 31)
    add(rh, rl, h1h, h1l)
    mul(rh, rl, 0, 5)
    add(rh, rl, 0, N2)
    h2h = rh
    h2l = rl
  }
  // the tail: up to 15 bytes, little-endian into k1 (bytes 0-7) and k2 (bytes 8-14)
  const tail = nblocks << 4
  const rest = length - tail
  if (rest > 8) {
    let k2h = 0
    let k2l = 0
    for (let j = rest - 1; j >= 8; j--) {
      const byte = view[tail + j] as number
      if (j >= 12) k2h |= byte << ((j - 12) * 8)
      else k2l |= byte << ((j - 8) * 8)
    }
    mul(k2h >>> 0, k2l >>> 0, C2_HI, C2_LO)
    rotl(rh, rl, 33)
    mul(rh, rl, C1_HI, C1_LO)
    h2h = (h2h ^ rh) >>> 0
    h2l = (h2l ^ rl) >>> 0
  }
  if (rest > 0) {
    let k1h = 0
    let k1l = 0
    for (let j = Math.min(rest, 8) - 1; j >= 0; j--) {
      const byte = view[tail + j] as number
      if (j >= 4) k1h |= byte << ((j - 4) * 8)
      else k1l |= byte << (j * 8)
    }
    mul(k1h >>> 0, k1l >>> 0, C1_HI, C1_LO)
    rotl(rh, rl, 31)
    mul(rh, rl, C2_HI, C2_LO)
    h1h = (h1h ^ rh) >>> 0
    h1l = (h1l ^ rl) >>> 0
  }
  // finalization: h1 ^= len; h2 ^= len; h1 += h2; h2 += h1; fmix both; h1 += h2; h2 += h1
  h1l = (h1l ^ length) >>> 0
  h2l = (h2l ^ length) >>> 0
  add(h1h, h1l, h2h, h2l)
  h1h = rh
  h1l = rl
  add(h2h, h2l, h1h, h1l)
  h2h = rh
  h2l = rl
  fmix(h1h, h1l)
  h1h = rh
  h1l = rl
  fmix(h2h, h2l)
  h2h = rh
  h2l = rl
  add(h1h, h1l, h2h, h2l)
  h1h = rh
  h1l = rl
  add(h2h, h2l, h1h, h1l)
  const out = Buffer.allocUnsafe(16)
  out.writeUInt32BE(h1h, 0)
  out.writeUInt32BE(h1l, 4)
  out.writeUInt32BE(rh, 8)
  out.writeUInt32BE(rl, 12)
  return out
}
