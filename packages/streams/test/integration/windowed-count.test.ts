import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import {
  Consumed,
  Duration,
  KafkaStreams,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type KafkaStreamsState,
  type StateRestoreListener,
} from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, lastValues, stateDir, TestProducer, waitFor } from './streams-harness.ts'

const partitions = 6
const keys = 60
// recent timestamps: the broker's retention would delete records from long ago
const base = Date.now() - 3_600_000

function topology(input: string, output: string) {
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofMinutes(10)))
    .count()
    .toStream()
    .map((windowed, count) => ({ key: `${windowed.key}@${windowed.window.start}`, value: count }))
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  return builder.build()
}

/** Input record i: key k<i % keys>, in one of 5 one-minute windows. */
function produce(producer: TestProducer, topic: string, from: number, to: number): void {
  for (let i = from; i < to; i++) producer.send(topic, `k${i % keys}`, `v${i}`, base + (i % 5) * 60_000 + (i % 1000))
}

/** The expected count per key@window of records 0..n-1. */
function expected(n: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const timestamp = base + (i % 5) * 60_000 + (i % 1000)
    const key = `k${i % keys}@${timestamp - (timestamp % 60_000)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/** The last count per key@window in the output topic. */
async function finalCounts(output: string): Promise<Map<string, number>> {
  const admin = client()
  return lastValues(admin, output, undefined, 1500).finally(() => admin.close())
}

interface Instance {
  readonly streams: KafkaStreams
  readonly dir: string
  readonly restored: { count: number }
  readonly states: KafkaStreamsState[]
}

function instance(appId: string, input: string, output: string, dir = stateDir()): Instance {
  const streams = new KafkaStreams(topology(input, output), {
    applicationId: appId,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 200,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    probingRebalanceIntervalMs: 1000,
  })
  const restored = { count: 0 }
  const listener: StateRestoreListener = {
    onRestoreEnd: (_tp, _store, total) => {
      restored.count += total
    },
  }
  const states: KafkaStreamsState[] = []
  streams.setGlobalStateRestoreListener(listener)
  streams.setStateListener((state) => states.push(state))
  return { streams, dir, restored, states }
}

async function settle(instances: readonly Instance[], processedAtLeast: number): Promise<void> {
  await waitFor(() => instances.every((i) => i.streams.state() === 'RUNNING'), 60_000, 'every instance RUNNING')
  await waitFor(
    () => instances.reduce((sum, i) => sum + i.streams.processedRecords, 0) >= processedAtLeast,
    60_000,
    `${processedAtLeast} records processed`,
  )
}

test('a windowed count over 6 partitions gives the same final results with 3 instances as with 1', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('wc-input')
  const outputOne = uniqueTopic('wc-output-one')
  const outputThree = uniqueTopic('wc-output-three')
  await createTopics(admin, partitions, input, outputOne, outputThree)
  const producer = new TestProducer(partitions)
  const n = 12_000
  produce(producer, input, 0, n)
  await producer.flush()
  await producer.close()

  const one = instance(uniqueTopic('wc-one'), input, outputOne)
  await one.streams.start()
  await settle([one], n)
  assert.equal(await one.streams.close({ timeout: 30_000 }), true)
  assert.equal(one.streams.state(), 'NOT_RUNNING')

  const app = uniqueTopic('wc-three')
  const three = [
    instance(app, input, outputThree),
    instance(app, input, outputThree),
    instance(app, input, outputThree),
  ]
  await Promise.all(three.map((i) => i.streams.start()))
  await waitFor(
    () => three.every((i) => i.streams.metadataForLocalThreads()[0]?.activeTasks.length === 2),
    60_000,
    'two tasks on every instance',
  )
  await settle(three, n)
  await Promise.all(three.map((i) => i.streams.close({ timeout: 30_000 })))

  const resultOne = await finalCounts(outputOne)
  const resultThree = await finalCounts(outputThree)
  assert.deepEqual(resultOne, expected(n))
  assert.deepEqual(resultThree, resultOne)
  for (const i of [one, ...three]) rmSync(i.dir, { recursive: true, force: true })
})

test('a restarted instance resumes from its stored offsets and restores nothing it already has', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('restart-input')
  const output = uniqueTopic('restart-output')
  await createTopics(admin, partitions, input, output)
  const producer = new TestProducer(partitions)
  t.after(() => producer.close())
  produce(producer, input, 0, 6000)
  await producer.flush()

  const app = uniqueTopic('restart')
  const dir = stateDir()
  const first = instance(app, input, output, dir)
  await first.streams.start()
  await settle([first], 6000)
  await first.streams.close()

  produce(producer, input, 6000, 9000)
  await producer.flush()
  const second = instance(app, input, output, dir)
  await second.streams.start()
  await settle([second], 3000)
  await second.streams.close()
  // the stores were committed with their changelog offsets: nothing to replay
  assert.equal(second.restored.count, 0)
  assert.equal(second.streams.processedRecords, 3000)
  assert.deepEqual(await finalCounts(output), expected(9000))

  // without local state the same instance restores every store from its changelog
  rmSync(dir, { recursive: true, force: true })
  const third = instance(app, input, output, dir)
  await third.streams.start()
  await waitFor(() => third.streams.state() === 'RUNNING', 60_000, 'RUNNING')
  await third.streams.close()
  assert.ok(third.restored.count > 0, 'the state was restored from the changelog')
  assert.equal(third.streams.processedRecords, 0)
  rmSync(dir, { recursive: true, force: true })
})

test('scaling 1 -> 3 -> 1 instances while input flows loses nothing and moves state by restore', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('scale-input')
  const output = uniqueTopic('scale-output')
  await createTopics(admin, partitions, input, output)
  const producer = new TestProducer(partitions)
  t.after(() => producer.close())
  // at least 30,000 records, and input keeps flowing until the new instances have processed some of it
  const total = 30_000
  let sent = 0
  let spread = false
  const feeding = (async () => {
    while (sent < total || !spread) {
      produce(producer, input, sent, sent + 250)
      sent += 250
      await producer.flush()
      await new Promise((resolve) => setTimeout(resolve, 40))
    }
  })()

  const app = uniqueTopic('scale')
  const a = instance(app, input, output)
  await a.streams.start()
  await settle([a], 2000)

  // the longest time A processed nothing while B and C joined and tasks moved
  let longestPause = 0
  let last = { time: Date.now(), processed: a.streams.processedRecords }
  const sampler = setInterval(() => {
    const processed = a.streams.processedRecords
    const now = Date.now()
    if (processed !== last.processed) {
      longestPause = Math.max(longestPause, now - last.time)
      last = { time: now, processed }
    }
  }, 5)
  const joinedAt = Date.now()
  const b = instance(app, input, output)
  const c = instance(app, input, output)
  await Promise.all([b.streams.start(), c.streams.start()])
  await waitFor(
    () => [a, b, c].every((i) => i.streams.metadataForLocalThreads()[0]?.activeTasks.length === 2),
    60_000,
    'two tasks on every instance',
  )
  const spreadMs = Date.now() - joinedAt
  await waitFor(
    () => b.streams.processedRecords > 0 && c.streams.processedRecords > 0,
    60_000,
    'the new instances processing',
  )
  spread = true
  await settle([a, b, c], 0)
  clearInterval(sampler)
  console.log(
    `scale-out: tasks spread over 3 instances ${spreadMs} ms after two joined; ` +
      `longest processing pause of the first instance ${longestPause} ms`,
  )

  await Promise.all([b.streams.close(), c.streams.close()])
  await waitFor(() => a.streams.metadataForLocalThreads()[0]?.activeTasks.length === 6, 60_000, 'six tasks back on A')
  await feeding
  await waitFor(
    async () => {
      const counts = await finalCounts(output)
      return [...expected(sent).values()].reduce((s, v) => s + v, 0) === [...counts.values()].reduce((s, v) => s + v, 0)
    },
    60_000,
    'every record counted',
  )
  await a.streams.close()
  assert.ok(a.restored.count > 0, 'the state of the tasks coming back was restored from their changelogs')
  assert.deepEqual(await finalCounts(output), expected(sent))
  for (const i of [a, b, c]) rmSync(i.dir, { recursive: true, force: true })
})
