import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRecordsBatch } from '@platformatic/kafka'
import { decodeRecordBatches } from '../../src/client/fetch-response.ts'
import { encodeRecordBatch, type BatchRecord } from '../../src/client/record-batch.ts'
import { Headers } from '../../src/header/headers.ts'

const base = 1_700_000_000_000

function record(i: number, extra: Partial<BatchRecord> = {}): BatchRecord {
  return {
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    headers: new Headers(),
    timestamp: base + i,
    ...extra,
  }
}

/** A batch as the broker returns it: the base offset set, optionally with other attribute bits. */
function batchAt(offset: number, records: BatchRecord[], options: { producerId?: bigint; attributes?: number } = {}) {
  const batch = encodeRecordBatch(records, options.producerId ?? -1n, 0, 0, false)
  batch.writeBigInt64BE(BigInt(offset), 0)
  if (options.attributes !== undefined) batch.writeInt16BE(options.attributes, 21)
  return batch
}

const summary = (records: ReturnType<typeof decodeRecordBatches>['records']) =>
  records.map(
    (r) => `${r.offset}:${r.key?.toString() ?? 'null'}=${r.value?.toString() ?? 'null'}@${r.timestamp - base}`,
  )

test('records of consecutive batches, with their offsets, timestamps, nulls and headers', () => {
  const buffer = Buffer.concat([
    batchAt(10, [record(0), record(1, { timestamp: base - 7 })]),
    batchAt(12, [
      record(2, {
        key: null,
        value: null,
        headers: new Headers([
          ['a', 'x'],
          ['a', null],
          ['날', 'y'],
        ]),
      }),
    ]),
  ])
  const { records, next } = decodeRecordBatches('t', 3, buffer, 10, null)
  assert.deepEqual(summary(records), ['10:k0=v0@0', '11:k1=v1@-7', '12:null=null@2'])
  assert.equal(next, 13)
  assert.deepEqual(
    [...(records[2]?.headers ?? [])].map((h) => [h.key, h.value?.toString() ?? null]),
    [
      ['a', 'x'],
      ['a', null],
      ['날', 'y'],
    ],
  )
  assert.deepEqual([records[0]?.topic, records[0]?.partition], ['t', 3])
})

test('records before the fetch position are skipped; a batch cut short is left for the next fetch', () => {
  const whole = batchAt(100, [record(0), record(1), record(2)])
  const cut = batchAt(103, [record(3), record(4)])
  const buffer = Buffer.concat([whole, cut.subarray(0, cut.length - 3)])
  const { records, next } = decodeRecordBatches('t', 0, buffer, 101, null)
  assert.deepEqual(summary(records), ['101:k1=v1@1', '102:k2=v2@2'])
  assert.equal(next, 103)
})

test('LogAppendTime batches give every record the batch time', () => {
  const batch = batchAt(0, [record(0), record(5)], { attributes: 0x08 })
  assert.deepEqual(
    decodeRecordBatches('t', 0, batch, 0, null).records.map((r) => r.timestamp - base),
    [5, 5],
  )
})

test('read_committed: an aborted transaction is dropped up to its marker; markers give no records', () => {
  const buffer = Buffer.concat([
    batchAt(0, [record(0)], { producerId: 7n, attributes: 0x10 }),
    batchAt(1, [record(1)], { producerId: 8n, attributes: 0x10 }),
    // producer 7's abort marker, then a new transaction of 7 that is not aborted
    batchAt(2, [record(99)], { producerId: 7n, attributes: 0x30 }),
    batchAt(3, [record(3)], { producerId: 7n, attributes: 0x10 }),
  ])
  const { records, next } = decodeRecordBatches('t', 0, buffer, 0, [{ producerId: 7n, firstOffset: 0n }])
  assert.deepEqual(summary(records), ['1:k1=v1@1', '3:k3=v3@3'])
  assert.equal(next, 4)
})

test('compressed batches are inflated', () => {
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const batch = createRecordsBatch(
      [0, 1, 2].map((i) => ({
        topic: 't',
        partition: 0,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`.repeat(50)),
        timestamp: BigInt(base + i),
        headers: new Map([[Buffer.from('h'), Buffer.from(String(i))]]),
      })),
      { compression },
    ).buffer
    batch.writeBigInt64BE(40n, 0)
    const { records, next } = decodeRecordBatches('t', 0, batch, 41, null)
    assert.deepEqual(
      records.map((r) => [
        r.offset,
        r.key?.toString(),
        r.value?.length,
        r.timestamp - base,
        r.headers.lastHeader('h')?.value?.toString(),
      ]),
      [
        [41, 'k1', 100, 1, '1'],
        [42, 'k2', 100, 2, '2'],
      ],
      compression,
    )
    assert.equal(next, 43)
  }
})
