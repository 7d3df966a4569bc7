import { crc32c, createAPI, produceV11, Writer } from '@platformatic/kafka'
import type { Headers } from '../header/headers.ts'

/** A record as the producer writes it. */
export interface BatchRecord {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
  readonly timestamp: number
}

/** One partition's records in a produce request, already encoded as a record batch. */
export interface PartitionBatch {
  readonly topic: string
  readonly partition: number
  readonly batch: Buffer
}

/** Kafka's record batch attribute of a transactional batch. */
const transactionalFlag = 0x10
/** Bytes of a v2 record batch before its first record. */
const batchHeaderSize = 61
/** Where the batch's CRC-32C starts counting (the attributes) and where the CRC itself goes. */
const crcStart = 21
const crcOffset = 17

/**
 * Encodes records as one uncompressed v2 record batch (Kafka's `DefaultRecordBatch`, magic 2), written into
 * a single buffer whose size is computed first. The client's own encoder builds a growable buffer per
 * record and joins them; on the produce path that was a third of a stream thread's time and most of its
 * garbage, so the producer writes its batches here.
 *
 * Timestamps are CreateTime: the first record's is the batch's base and each record stores its difference
 * (negative for an earlier one, as Kafka allows); a null header value is written as length -1.
 */
export function encodeRecordBatch(
  records: readonly BatchRecord[],
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
  transactional: boolean,
): Buffer {
  const count = records.length
  const first = records[0]
  if (first === undefined) throw new RangeError('a record batch needs at least one record')
  const baseTimestamp = first.timestamp
  let maxTimestamp = baseTimestamp
  // sizes first: each record's body, then the whole batch
  const bodySizes = new Array<number>(count)
  let size = batchHeaderSize
  for (let i = 0; i < count; i++) {
    const record = records[i] as BatchRecord
    if (record.timestamp > maxTimestamp) maxTimestamp = record.timestamp
    let body = 1 + sizeOfVarlong(record.timestamp - baseTimestamp) + sizeOfVarint(i)
    body += bytesSize(record.key) + bytesSize(record.value)
    const headers = record.headers
    body += sizeOfVarint(headers.size)
    if (headers.size > 0) {
      for (const header of headers) {
        const keyLength = Buffer.byteLength(header.key, 'utf8')
        body += sizeOfVarint(keyLength) + keyLength + bytesSize(header.value)
      }
    }
    bodySizes[i] = body
    size += sizeOfVarint(body) + body
  }

  const buffer = Buffer.allocUnsafe(size)
  buffer.writeBigInt64BE(0n, 0) // base offset: the broker assigns the offsets
  buffer.writeInt32BE(size - 12, 8) // batch length: what follows this field
  buffer.writeInt32BE(-1, 12) // partition leader epoch: set by the broker
  buffer.writeInt8(2, 16) // magic
  buffer.writeInt16BE(transactional ? transactionalFlag : 0, 21)
  buffer.writeInt32BE(count - 1, 23) // last offset delta
  buffer.writeBigInt64BE(BigInt(baseTimestamp), 27)
  buffer.writeBigInt64BE(BigInt(maxTimestamp), 35)
  buffer.writeBigInt64BE(producerId, 43)
  buffer.writeInt16BE(producerEpoch, 51)
  buffer.writeInt32BE(baseSequence, 53)
  buffer.writeInt32BE(count, 57)
  let at = batchHeaderSize
  for (let i = 0; i < count; i++) {
    const record = records[i] as BatchRecord
    at = writeVarint(buffer, at, bodySizes[i] as number)
    buffer[at++] = 0 // record attributes
    at = writeVarlong(buffer, at, record.timestamp - baseTimestamp)
    at = writeVarint(buffer, at, i)
    at = writeBytes(buffer, at, record.key)
    at = writeBytes(buffer, at, record.value)
    const headers = record.headers
    at = writeVarint(buffer, at, headers.size)
    if (headers.size > 0) {
      for (const header of headers) {
        const keyLength = Buffer.byteLength(header.key, 'utf8')
        at = writeVarint(buffer, at, keyLength)
        at += buffer.write(header.key, at, 'utf8')
        at = writeBytes(buffer, at, header.value)
      }
    }
  }
  buffer.writeUInt32BE(crc32c(buffer.subarray(crcStart)) >>> 0, crcOffset)
  return buffer
}

/**
 * The body of a Produce v11 request (Kafka's `ProduceRequest`, flexible version) for batches that are
 * already encoded, as a writer the client's connections send.
 */
export function produceRequestBody(
  transactionalId: string | null,
  acks: number,
  timeoutMs: number,
  batches: readonly PartitionBatch[],
): Writer {
  const byTopic = new Map<string, PartitionBatch[]>()
  for (const batch of batches) {
    const list = byTopic.get(batch.topic)
    if (list) list.push(batch)
    else byTopic.set(batch.topic, [batch])
  }
  let size = compactStringSize(transactionalId) + 2 + 4 + sizeOfUnsignedVarint(byTopic.size + 1) + 1
  for (const [topic, list] of byTopic) {
    size += compactStringSize(topic) + sizeOfUnsignedVarint(list.length + 1) + 1
    for (const { batch } of list) size += 4 + sizeOfUnsignedVarint(batch.length + 1) + batch.length + 1
  }
  const buffer = Buffer.allocUnsafe(size)
  let at = writeCompactString(buffer, 0, transactionalId)
  at = buffer.writeInt16BE(acks, at)
  at = buffer.writeInt32BE(timeoutMs, at)
  at = writeUnsignedVarint(buffer, at, byTopic.size + 1)
  for (const [topic, list] of byTopic) {
    at = writeCompactString(buffer, at, topic)
    at = writeUnsignedVarint(buffer, at, list.length + 1)
    for (const { partition, batch } of list) {
      at = buffer.writeInt32BE(partition, at)
      at = writeUnsignedVarint(buffer, at, batch.length + 1)
      at += batch.copy(buffer, at)
      buffer[at++] = 0 // no tagged fields
    }
    buffer[at++] = 0
  }
  buffer[at++] = 0
  return Writer.create().append(buffer)
}

function bytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length
}

function writeBytes(buffer: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buffer, at, -1)
  at = writeVarint(buffer, at, bytes.length)
  return at + bytes.copy(buffer, at)
}

function compactStringSize(text: string | null): number {
  if (text === null) return 1
  const length = Buffer.byteLength(text, 'utf8')
  return sizeOfUnsignedVarint(length + 1) + length
}

function writeCompactString(buffer: Buffer, at: number, text: string | null): number {
  if (text === null) return writeUnsignedVarint(buffer, at, 0)
  at = writeUnsignedVarint(buffer, at, Buffer.byteLength(text, 'utf8') + 1)
  return at + buffer.write(text, at, 'utf8')
}

// Varints as Kafka writes them (`ByteUtils`): zig-zag for signed values, 7 bits a byte, low bits first.
// Numbers, not bigints: a timestamp difference fits 53 bits, and zig-zag is done with arithmetic.

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

function sizeOfUnsignedVarint(value: number): number {
  let bytes = 1
  while (value >= 0x80) {
    value = Math.floor(value / 0x80)
    bytes++
  }
  return bytes
}

function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigzag(value))
}

const sizeOfVarlong = sizeOfVarint

function writeUnsignedVarint(buffer: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buffer[at++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 0x80)
  }
  buffer[at++] = value
  return at
}

function writeVarint(buffer: Buffer, at: number, value: number): number {
  return writeUnsignedVarint(buffer, at, zigzag(value))
}

const writeVarlong = writeVarint

/** Produce v11 with batches encoded by `encodeRecordBatch`; the response as the client parses it. */
export const produceBatches = createAPI<
  [transactionalId: string | null, acks: number, timeoutMs: number, batches: readonly PartitionBatch[]],
  produceV11.ProduceResponse
>(0, 11, produceRequestBody, produceV11.parseResponse)
