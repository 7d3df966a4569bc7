import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crc32c, readRecordsBatch, Reader } from '@platformatic/kafka'
import { encodeRecordBatch, produceRequestBody } from '../../src/client/record-batch.ts'
import { Headers } from '../../src/header/headers.ts'

const base = 1_700_000_000_000

test('a record batch decodes field by field, with a valid CRC-32C over attributes..end', () => {
  const records = [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: new Headers(), timestamp: base },
    // earlier than the first record: a negative timestamp delta
    { key: null, value: Buffer.alloc(300, 7), headers: new Headers([['h', 'x']]), timestamp: base - 5000 },
    // a tombstone with a repeated header key, a null header value and a multi-byte key
    {
      key: Buffer.from('k3'),
      value: null,
      headers: new Headers([
        ['tag', 'a'],
        ['tag', null],
        ['날짜', 'b'],
      ]),
      timestamp: base + 2 ** 33,
    },
  ]
  const batch = encodeRecordBatch(records, 4242n, 7, 1000, true)
  const decoded = readRecordsBatch(Reader.from(batch))
  assert.equal(decoded.firstOffset, 0n)
  assert.equal(decoded.length, batch.length - 12)
  assert.equal(decoded.partitionLeaderEpoch, -1)
  assert.equal(decoded.magic, 2)
  assert.equal(decoded.crc, crc32c(batch.subarray(21)) >>> 0)
  assert.equal(decoded.attributes, 0x10)
  assert.equal(decoded.lastOffsetDelta, 2)
  assert.equal(decoded.firstTimestamp, BigInt(base))
  assert.equal(decoded.maxTimestamp, BigInt(base + 2 ** 33))
  assert.equal(decoded.producerId, 4242n)
  assert.equal(decoded.producerEpoch, 7)
  assert.equal(decoded.firstSequence, 1000)
  assert.equal(decoded.records.length, 3)
  const [r1, r2, r3] = decoded.records
  assert.deepEqual(
    [r1?.offsetDelta, r1?.timestampDelta, r1?.key?.toString(), r1?.value?.toString()],
    [0, 0n, 'k1', 'v1'],
  )
  assert.deepEqual([r2?.offsetDelta, r2?.timestampDelta, r2?.value?.length], [1, -5000n, 300])
  assert.equal(r2?.key, null)
  assert.equal(r3?.value, null)
  assert.deepEqual(
    r2?.headers.map(([k, v]) => [k?.toString(), v?.toString()]),
    [['h', 'x']],
  )
  assert.deepEqual([r3?.offsetDelta, r3?.timestampDelta], [2, BigInt(2 ** 33)])
  assert.deepEqual(
    r3?.headers.map(([k, v]) => [k?.toString(), v?.toString() ?? null]),
    [
      ['tag', 'a'],
      ['tag', null],
      ['날짜', 'b'],
    ],
  )
})

test('a non-transactional batch has no attribute bits set', () => {
  const batch = encodeRecordBatch(
    [{ key: null, value: null, headers: new Headers(), timestamp: base }],
    -1n,
    -1,
    -1,
    false,
  )
  const decoded = readRecordsBatch(Reader.from(batch))
  assert.equal(decoded.attributes, 0)
  assert.equal(decoded.producerId, -1n)
  assert.equal(decoded.records.length, 1)
  assert.throws(() => encodeRecordBatch([], 0n, 0, 0, false), /at least one record/)
})

test('a produce request body groups partitions by topic in the flexible Produce v11 layout', () => {
  const one = encodeRecordBatch(
    [{ key: null, value: Buffer.from('a'), headers: new Headers(), timestamp: base }],
    1n,
    0,
    0,
    false,
  )
  const body = produceRequestBody(null, -1, 30_000, [
    { topic: 't', partition: 0, batch: one },
    { topic: 'u', partition: 3, batch: one },
    { topic: 't', partition: 1, batch: one },
  ]).buffer
  const reader = Reader.from(body)
  assert.equal(reader.readNullableString(), null)
  assert.equal(reader.readInt16(), -1)
  assert.equal(reader.readInt32(), 30_000)
  const topics = reader.readArray((r) => {
    const name = r.readString()
    const partitions = r.readArray((p) => {
      const index = p.readInt32()
      const bytes = p.readBytes()
      return [index, bytes.equals(one)] as const
    })
    return [name, partitions] as const
  })
  reader.readTaggedFields()
  assert.deepEqual(topics, [
    [
      't',
      [
        [0, true],
        [1, true],
      ],
    ],
    ['u', [[3, true]]],
  ])
  assert.equal(reader.remaining, 0)
})
