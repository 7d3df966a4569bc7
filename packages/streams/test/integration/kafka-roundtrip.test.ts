import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin, Consumer, Producer, ProduceAcks, type Message } from '@platformatic/kafka'
import { Serdes } from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'

const count = 10_000
const partitions = 3
const baseTimestamp = 1_700_000_000_000n

interface Sent {
  key: Buffer
  value: Buffer
  headers: [string, string][]
  timestamp: bigint
  partition: number
}

function record(i: number): Sent {
  return {
    key: Serdes.String()
      .serializer()
      .serialize('t', `key-${i % 977}`) as Buffer,
    value: Serdes.JSON()
      .serializer()
      .serialize('t', { seq: i, text: `value ${i} ☃`, even: i % 2 === 0 }) as Buffer,
    // a repeated header key: Kafka keeps both, in order
    headers: [
      ['seq', String(i)],
      ['tag', 'a'],
      ['tag', `b${i % 5}`],
    ],
    timestamp: baseTimestamp + BigInt(i * 7),
    partition: i % partitions,
  }
}

test('10,000 records with keys, headers and timestamps round-trip through a real broker unchanged', async (t) => {
  const brokers = bootstrapServers()
  const topic = uniqueTopic('roundtrip')
  const common = { bootstrapBrokers: brokers, retries: 3, retryDelay: 500, timeout: 10_000 }

  const admin = new Admin({ clientId: 'roundtrip-admin', ...common })
  t.after(() => admin.close())
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 })

  const producer = new Producer({ clientId: 'roundtrip-producer', idempotent: true, acks: ProduceAcks.ALL, ...common })
  t.after(() => producer.close())
  const sent = Array.from({ length: count }, (_, i) => record(i))
  for (let start = 0; start < count; start += 1000) {
    await producer.send({
      messages: sent.slice(start, start + 1000).map((r) => ({
        topic,
        key: r.key,
        value: r.value,
        // a Map keyed by distinct Buffer objects is how the client sends a repeated header key
        headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        timestamp: r.timestamp,
        partition: r.partition,
      })),
    })
  }

  const consumer = new Consumer({ clientId: 'roundtrip-consumer', groupId: uniqueTopic('roundtrip-group'), ...common })
  t.after(() => consumer.close(true))
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 500 })
  const received: Message[] = []
  for await (const message of stream) {
    received.push(message)
    if (received.length === count) break
  }
  await stream.close()

  // per partition, offsets are 0..n-1 and the order is the send order
  const byPartition = new Map<number, Message[]>()
  for (const message of received) {
    const list = byPartition.get(message.partition) ?? []
    list.push(message)
    byPartition.set(message.partition, list)
  }
  assert.equal(byPartition.size, partitions)
  for (let p = 0; p < partitions; p++) {
    const messages = byPartition.get(p) ?? []
    const expected = sent.filter((r) => r.partition === p)
    assert.equal(messages.length, expected.length, `partition ${p} record count`)
    messages.forEach((message, offset) => {
      const want = expected[offset]
      assert.ok(want)
      assert.equal(message.offset, BigInt(offset))
      assert.equal(message.topic, topic)
      assert.deepEqual(message.key, want.key)
      assert.deepEqual(message.value, want.value)
      assert.equal(message.timestamp, want.timestamp)
      assert.deepEqual(
        message.headerEntries.map(([k, v]) => [k.toString(), v.toString()]),
        want.headers,
      )
    })
  }
  const last = byPartition.get((count - 1) % partitions)?.at(-1)
  assert.deepEqual(
    Serdes.JSON()
      .deserializer()
      .deserialize(topic, last?.value ?? null),
    {
      seq: count - 1,
      text: `value ${count - 1} ☃`,
      even: (count - 1) % 2 === 0,
    },
  )
})
