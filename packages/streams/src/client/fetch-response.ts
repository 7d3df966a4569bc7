import { compressionsAlgorithmsByBitmask, createAPI, fetchV17, type Reader } from '@platformatic/kafka'
import type { RawRecord } from '../errors/exception-handlers.ts'
import { Headers } from '../header/headers.ts'

/** A partition of a Fetch response, its records still encoded as the broker sent them. */
export interface FetchedPartition {
  readonly partitionIndex: number
  readonly errorCode: number
  readonly highWatermark: bigint
  readonly lastStableOffset: bigint
  readonly abortedTransactions: readonly AbortedTransaction[] | null
  /** The partition's record batches, undecoded; null when the broker sent none. */
  readonly records: Buffer | null
}

export interface AbortedTransaction {
  readonly producerId: bigint
  readonly firstOffset: bigint
}

export interface FetchResult {
  readonly errorCode: number
  readonly responses: readonly { readonly topicId: string; readonly partitions: readonly FetchedPartition[] }[]
}

/**
 * Reads a Fetch v17 response (Kafka `FetchResponse`, flexible version) but leaves each partition's records
 * as the bytes they came in, for `decodeRecordBatches`. Errors stay in the result (the fetcher acts on each
 * partition's), and tagged fields (diverging epoch, current leader, node endpoints) are skipped: the
 * fetcher refreshes its metadata when a partition's leader moved.
 */
function parseFetchResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): FetchResult {
  reader.readInt32() // throttle time
  const errorCode = reader.readInt16()
  reader.readInt32() // session id
  const responses = reader.readArray((r) => ({
    topicId: r.readUUID(),
    partitions: r.readArray((p): FetchedPartition => {
      const partitionIndex = p.readInt32()
      const partitionError = p.readInt16()
      const highWatermark = p.readInt64()
      const lastStableOffset = p.readInt64()
      p.readInt64() // log start offset
      const abortedTransactions = p.readNullableArray((a) => ({
        producerId: a.readInt64(),
        firstOffset: a.readInt64(),
      }))
      p.readInt32() // preferred read replica
      const size = p.readUnsignedVarInt() - 1
      let records: Buffer | null = null
      if (size > 0) {
        records = p.buffer.slice(p.position, p.position + size)
        p.skip(size)
      }
      return {
        partitionIndex,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        abortedTransactions,
        records,
      }
    }),
  }))
  reader.readTaggedFields()
  return { errorCode, responses }
}

/** Fetch v17 with `parseFetchResponse`; the request as the client writes it. */
export const fetchRecords = createAPI<Parameters<typeof fetchV17.createRequest>, FetchResult>(
  1,
  17,
  fetchV17.createRequest,
  parseFetchResponse,
)

const compressionMask = 0x07
const timestampLogAppend = 0x08
const transactionalFlag = 0x10
const controlFlag = 0x20
/** Bytes of a v2 record batch before its first record; fields at these offsets. */
const batchHeaderSize = 61

/**
 * The records of a partition's record batches (Kafka `DefaultRecordBatch`, magic 2) at or after `from`, and
 * the offset after the last complete batch. Decoded straight from the bytes into the records the tasks
 * take, without an object per batch or per field on the way: the client's generic reader was the largest
 * share of a stream thread's time after producing.
 *
 * - A batch the response cut short (brokers fill up to the size limit) is left for the next fetch.
 * - Compressed batches are inflated with the client's codecs (gzip, snappy, lz4, zstd).
 * - read_committed: `aborted` lists the producers whose transactions aborted from a first offset on; their
 *   transactional batches are dropped until the producer's abort marker. Control batches (markers) give no
 *   records but move `next` past them.
 * - Timestamps: LogAppendTime batches give every record the batch's max timestamp, as Kafka's consumer does.
 */
export function decodeRecordBatches(
  topic: string,
  partition: number,
  buffer: Buffer,
  from: number,
  aborted: readonly AbortedTransaction[] | null,
): { records: RawRecord[]; next: number } {
  const records: RawRecord[] = []
  let next = from
  const pendingAborts = aborted ? [...aborted].sort((a, b) => Number(a.firstOffset - b.firstOffset)) : []
  const abortedProducers = new Set<bigint>()
  for (let at = 0; at + batchHeaderSize <= buffer.length;) {
    const batchSize = 12 + buffer.readInt32BE(at + 8)
    if (at + batchSize > buffer.length) break
    const base = Number(buffer.readBigInt64BE(at))
    const attributes = buffer.readInt16BE(at + 21)
    const batchEnd = base + buffer.readInt32BE(at + 23) + 1
    const producerId = buffer.readBigInt64BE(at + 43)
    const batchStart = at
    at += batchSize
    while (pendingAborts.length > 0 && (pendingAborts[0] as AbortedTransaction).firstOffset < BigInt(batchEnd)) {
      abortedProducers.add((pendingAborts.shift() as AbortedTransaction).producerId)
    }
    if (batchEnd > next) next = batchEnd
    if (attributes & controlFlag) {
      // a transaction marker: an abort marker ends the producer's aborted range
      abortedProducers.delete(producerId)
      continue
    }
    if (attributes & transactionalFlag && abortedProducers.has(producerId)) continue
    if (batchEnd <= from) continue
    const firstTimestamp = Number(buffer.readBigInt64BE(batchStart + 27))
    const logAppendTime = attributes & timestampLogAppend ? Number(buffer.readBigInt64BE(batchStart + 35)) : -1
    const count = buffer.readInt32BE(batchStart + 57)
    let data = buffer
    let pos = batchStart + batchHeaderSize
    const compression = attributes & compressionMask
    if (compression !== 0) {
      const codec = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync(data: Buffer): Buffer }>)[
        compression
      ]
      if (!codec)
        throw new Error(`${topic}-${partition}: record batch at offset ${base} has unknown compression ${compression}`)
      data = codec.decompressSync(buffer.subarray(pos, batchStart + batchSize))
      pos = 0
    }
    for (let i = 0; i < count; i++) {
      pos = readVarint(data, pos) // record length (the fields say where the record ends)
      pos++ // record attributes (unused)
      pos = readVarint(data, pos)
      const timestamp = logAppendTime >= 0 ? logAppendTime : firstTimestamp + varintValue
      pos = readVarint(data, pos)
      const offset = base + varintValue
      pos = readVarint(data, pos)
      let key: Buffer | null = null
      if (varintValue >= 0) {
        key = data.subarray(pos, pos + varintValue)
        pos += varintValue
      }
      pos = readVarint(data, pos)
      let value: Buffer | null = null
      if (varintValue >= 0) {
        value = data.subarray(pos, pos + varintValue)
        pos += varintValue
      }
      pos = readVarint(data, pos)
      const headerCount = varintValue
      const headers = new Headers()
      for (let h = 0; h < headerCount; h++) {
        pos = readVarint(data, pos)
        const headerKey = data.toString('utf8', pos, pos + varintValue)
        pos += varintValue
        pos = readVarint(data, pos)
        let headerValue: Buffer | null = null
        if (varintValue >= 0) {
          headerValue = data.subarray(pos, pos + varintValue)
          pos += varintValue
        }
        headers.add(headerKey, headerValue)
      }
      if (offset < from) continue
      records.push({ topic, partition, offset, timestamp, key, value, headers })
    }
  }
  return { records, next }
}

/** The value of the last varint read: `readVarint` returns the position after it (no object per read). */
let varintValue = 0

/** Reads a zig-zag varint (a varlong too: values up to 2^53) at `at`; its value goes to `varintValue`. */
function readVarint(buffer: Buffer, at: number): number {
  let byte = buffer[at++] as number
  let raw = byte & 0x7f
  let scale = 0x80
  while (byte & 0x80) {
    byte = buffer[at++] as number
    raw += (byte & 0x7f) * scale
    scale *= 0x80
  }
  varintValue = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  return at
}
