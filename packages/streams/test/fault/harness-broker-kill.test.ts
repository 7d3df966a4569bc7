import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Admin, Consumer, Producer, ProduceAcks } from '@platformatic/kafka'
import { LocalKafka } from '../../../../scripts/kafka/local-kafka.ts'

// The harness itself under failure: on a 3-node cluster, a producer with acks=all keeps sending while one
// broker is killed with SIGKILL and later restarted. Every acknowledged record must be read back exactly
// once; a record whose send failed may be present at most once; nothing else may appear.
test('acks=all records survive a broker kill -9 and restart, each exactly once', async (t) => {
  const kafka = await LocalKafka.start({ nodes: 3, heapOpts: '-Xms128m -Xmx384m' })
  t.after(() => kafka.close())
  const common = { bootstrapBrokers: kafka.bootstrapServers.split(','), retries: 20, retryDelay: 250, timeout: 5000 }
  const topic = 'fault-harness'
  const partitions = 3

  const admin = new Admin({ clientId: 'fault-admin', ...common })
  t.after(() => admin.close())
  await admin.createTopics({
    topics: [topic],
    partitions,
    replicas: 3,
    configs: [{ name: 'min.insync.replicas', value: '2' }],
  })
  const metadata = await admin.metadata({ topics: [topic] })
  const leaderId = metadata.topics.get(topic)?.partitions[0]?.leader
  const victim = kafka.nodes.find((node) => node.nodeId === leaderId) ?? kafka.nodes[1]
  assert.ok(victim)

  const producer = new Producer({ clientId: 'fault-producer', idempotent: true, acks: ProduceAcks.ALL, ...common })
  t.after(() => producer.close())

  const batches = 120
  const batchSize = 50
  const acked = new Set<number>()
  const failed = new Set<number>()
  let ackedWhileDown = 0
  for (let b = 0; b < batches; b++) {
    if (b === 30) await kafka.killNode(victim.name)
    if (b === 80) await kafka.restartNode(victim.name)
    const seqs = Array.from({ length: batchSize }, (_, i) => b * batchSize + i)
    try {
      await producer.send({
        messages: seqs.map((seq) => ({
          topic,
          key: Buffer.from(`k${seq % 101}`),
          value: Buffer.from(String(seq)),
          partition: seq % partitions,
        })),
      })
      for (const seq of seqs) acked.add(seq)
      if (b >= 30 && b < 80) ackedWhileDown += seqs.length
    } catch {
      for (const seq of seqs) failed.add(seq)
      await sleep(200)
    }
  }
  t.diagnostic(`acked ${acked.size}, failed ${failed.size}, acked while ${victim.name} was down ${ackedWhileDown}`)
  assert.ok(ackedWhileDown > 0, 'the producer made progress while a broker was down')

  const ends = await admin.listOffsets({
    topics: [
      {
        name: topic,
        partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })),
      },
    ],
  })
  const total = ends[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0) ?? 0

  const consumer = new Consumer({ clientId: 'fault-consumer', groupId: 'fault-verifier', ...common })
  t.after(() => consumer.close(true))
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 500 })
  const seen = new Map<number, number>()
  let read = 0
  for await (const message of stream) {
    const seq = Number(message.value.toString())
    seen.set(seq, (seen.get(seq) ?? 0) + 1)
    if (++read === total) break
  }
  await stream.close()

  for (const seq of acked) assert.equal(seen.get(seq), 1, `acknowledged record ${seq} read ${seen.get(seq) ?? 0} times`)
  for (const [seq, times] of seen) {
    assert.ok(acked.has(seq) || failed.has(seq), `record ${seq} was never sent`)
    assert.equal(times, 1, `record ${seq} read ${times} times`)
  }
})
