// The runtime against a real broker (a local one is started unless KAFKA_BOOTSTRAP_SERVERS is set):
//   1. restore speed: a count over <records> distinct keys with caching off (one changelog record per
//      input record), then the same instance without its state directory restores every store;
//      records/s = changelog records restored / time from the first onRestoreStart to the last onRestoreEnd;
//   2. rebalance pause: while input flows, a second instance joins; the pause is the longest time the
//      first instance processed nothing (the input arrives every 20 ms, which bounds the resolution).
// Run: npm run bench:runtime [-- <records>]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalKafka } from '../scripts/kafka/local-kafka.ts'
import { KafkaClient } from '../packages/streams/src/client/kafka-client.ts'
import { RecordProducer } from '../packages/streams/src/client/record-producer.ts'
import { defaultPartition } from '../packages/streams/src/processor/internals/default-partitioner.ts'
import { Consumed, Headers, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../packages/streams/src/index.ts'

const records = Number(process.argv[2] ?? 200_000)
const partitions = 6
const kafka = process.env.KAFKA_BOOTSTRAP_SERVERS ? undefined : await LocalKafka.start({ nodes: 1 })
const servers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? kafka?.bootstrapServers ?? '').split(',')
const run = Date.now().toString(36)
const admin = new KafkaClient({ clientId: 'bench-admin', bootstrapServers: servers, requestTimeoutMs: 10_000 })
const producer = new RecordProducer({
  client: new KafkaClient({ clientId: 'bench-producer', bootstrapServers: servers, requestTimeoutMs: 10_000 }),
  requestTimeoutMs: 10_000,
})

async function topics(...names: string[]): Promise<void> {
  await admin.createTopics(names.map((name) => ({ name, partitions, replicationFactor: -1, configs: {} })))
  while ((await admin.partitionCounts(names)).size < names.length) await new Promise((r) => setTimeout(r, 100))
}

function send(topic: string, from: number, to: number, keys: number): void {
  for (let i = from; i < to; i++) {
    const key = Buffer.from(`key-${i % keys}`)
    producer.send(topic, defaultPartition(key, partitions), key, Buffer.from(String(i)), new Headers(), Date.now())
  }
}

function countApp(input: string, output: string, applicationId: string, stateDir: string): KafkaStreams {
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .count()
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  return new KafkaStreams(builder.build(), {
    applicationId,
    bootstrapServers: servers,
    stateDir,
    cacheMaxBytes: 0,
    commitIntervalMs: 1000,
  })
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20))
}

try {
  // 1. restore speed
  const input = `bench-restore-in-${run}`
  await topics(input, `bench-restore-out-${run}`)
  for (let i = 0; i < records; i += 10_000) {
    send(input, i, Math.min(records, i + 10_000), records)
    await producer.flush()
  }
  const dir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'))
  const first = countApp(input, `bench-restore-out-${run}`, `bench-restore-${run}`, dir)
  await first.start()
  await until(() => first.processedRecords >= records)
  await first.close()
  rmSync(dir, { recursive: true, force: true })
  const second = countApp(input, `bench-restore-out-${run}`, `bench-restore-${run}`, dir)
  let started = 0
  let ended = 0
  let restored = 0
  second.setGlobalStateRestoreListener({
    onRestoreStart: () => {
      started ||= Date.now()
    },
    onRestoreEnd: (_tp, _store, total) => {
      ended = Date.now()
      restored += total
    },
  })
  await second.start()
  await until(() => second.state() === 'RUNNING' && restored >= records)
  await second.close()
  rmSync(dir, { recursive: true, force: true })
  const seconds = (ended - started) / 1000
  console.log(
    `restore: ${restored} changelog records over ${partitions} partitions in ${seconds.toFixed(2)} s = ` +
      `${Math.round(restored / seconds)} records/s (lmdb store)`,
  )

  // 2. rebalance pause when an instance joins
  const flowing = `bench-join-in-${run}`
  await topics(flowing, `bench-join-out-${run}`)
  const dirs = [mkdtempSync(join(tmpdir(), 'kstreams-bench-')), mkdtempSync(join(tmpdir(), 'kstreams-bench-'))]
  const a = countApp(flowing, `bench-join-out-${run}`, `bench-join-${run}`, dirs[0] as string)
  await a.start()
  let sent = 0
  let feeding = true
  const feeder = (async () => {
    while (feeding) {
      send(flowing, sent, sent + 100, 1000)
      sent += 100
      await producer.flush()
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  await until(() => a.state() === 'RUNNING' && a.processedRecords > 1000)
  let longest = 0
  let last = { at: Date.now(), processed: a.processedRecords }
  const sampler = setInterval(() => {
    if (a.processedRecords === last.processed) return
    const now = Date.now()
    longest = Math.max(longest, now - last.at)
    last = { at: now, processed: a.processedRecords }
  }, 2)
  const joined = Date.now()
  const b = countApp(flowing, `bench-join-out-${run}`, `bench-join-${run}`, dirs[1] as string)
  await b.start()
  await until(
    () =>
      b.state() === 'RUNNING' &&
      a.state() === 'RUNNING' &&
      b.metadataForLocalThreads()[0]?.activeTasks.length === partitions / 2 &&
      b.processedRecords > 0,
  )
  const settled = Date.now() - joined
  await new Promise((r) => setTimeout(r, 1000))
  clearInterval(sampler)
  feeding = false
  await feeder
  console.log(
    `rebalance: a second instance joined and took ${partitions / 2} of ${partitions} tasks in ${settled} ms; ` +
      `the first instance's longest processing pause meanwhile: ${longest} ms`,
  )
  await Promise.all([a.close(), b.close()])
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
} finally {
  await producer.close()
  await admin.close()
  await kafka?.close()
}
