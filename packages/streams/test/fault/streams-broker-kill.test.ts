import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { LocalKafka } from '../../../../scripts/kafka/local-kafka.ts'
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../src/index.ts'
import { client, lastValues, stateDir, TestProducer, topicsReady, waitFor } from '../integration/streams-harness.ts'

// A count per key on a 3-node cluster (replication 3, min.insync.replicas 2) while the broker that
// coordinates the application's group is killed with SIGKILL and later restarted: processing goes on and
// every input record is counted (at least once).
test('a streams application keeps processing through a broker kill -9 and restart, losing nothing', async (t) => {
  const kafka = await LocalKafka.start({ nodes: 3, heapOpts: '-Xms128m -Xmx384m' })
  t.after(() => kafka.close())
  const servers = kafka.bootstrapServers.split(',')
  const admin = client(servers)
  t.after(() => admin.close())
  const partitions = 3
  const keys = 30
  await admin.createTopics(
    ['fault-input', 'fault-output'].map((name) => ({ name, partitions, replicationFactor: 3, configs: {} })),
  )
  await topicsReady(admin, partitions, ['fault-input', 'fault-output'])

  const builder = new StreamsBuilder()
  builder
    .stream('fault-input', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .count()
    .toStream()
    .to('fault-output', Produced.with(Serdes.String(), Serdes.Long()))
  const dir = stateDir()
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const streams = new KafkaStreams(builder.build(), {
    applicationId: 'fault-app',
    bootstrapServers: servers,
    stateDir: dir,
    replicationFactor: 3,
    commitIntervalMs: 300,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    requestTimeoutMs: 5000,
  })
  const errors: Error[] = []
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error)
    return 'REPLACE_THREAD'
  })
  t.after(() => streams.close({ timeout: 30_000 }))
  await streams.start()
  await waitFor(() => streams.state() === 'RUNNING', 60_000, 'RUNNING')

  const coordinator = (await admin.coordinatorNode('fault-app')) ?? 1
  const victim = kafka.nodes.find((node) => node.nodeId === coordinator) ?? kafka.nodes[0]
  assert.ok(victim)
  const producer = new TestProducer(partitions, servers)
  t.after(() => producer.close())
  const batches = 60
  const batchSize = 200
  let processedWhileDown = 0
  for (let b = 0; b < batches; b++) {
    if (b === 15) {
      await kafka.killNode(victim.name)
      processedWhileDown = -streams.processedRecords
    }
    if (b === 40) {
      processedWhileDown += streams.processedRecords
      await kafka.restartNode(victim.name)
    }
    for (let i = b * batchSize; i < (b + 1) * batchSize; i++)
      producer.send('fault-input', `k${i % keys}`, String(i), Date.now())
    await producer.flush()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const total = batches * batchSize
  let counts = new Map<string, number>()
  await waitFor(
    async () => {
      counts = await lastValues(admin, 'fault-output', undefined, 1000)
      return [...counts.values()].reduce((s, v) => s + v, 0) >= total
    },
    120_000,
    'every record counted',
  )
  let duplicates = 0
  for (let k = 0; k < keys; k++) {
    const count = counts.get(`k${k}`) ?? 0
    assert.ok(count >= total / keys, `k${k} counted ${count} times, fewer than its ${total / keys} records`)
    duplicates += count - total / keys
  }
  t.diagnostic(
    `killed ${victim.name} (the group coordinator); ${processedWhileDown} records processed while it was down; ` +
      `${duplicates} of ${total} counted twice; thread errors: ${errors.map((e) => e.message).join('; ') || 'none'}`,
  )
  assert.ok(processedWhileDown > 0, 'records were processed while the broker was down')
  assert.deepEqual(
    errors.map((e) => e.message),
    [],
  )
})
