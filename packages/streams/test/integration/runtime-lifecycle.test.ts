import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import {
  Consumed,
  KafkaStreams,
  Produced,
  Serdes,
  StreamsBuilder,
  type KafkaStreamsState,
  type StreamsConfigInput,
  type StreamThreadExceptionResponse,
} from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, lastValues, stateDir, TestProducer, waitFor } from './streams-harness.ts'

/** A count per key whose mapper throws on the value 'poison' while `poisoned.armed`. */
function countApp(input: string, output: string, poisoned: { armed: boolean }) {
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((value: string) => {
      if (value === 'poison' && poisoned.armed) {
        poisoned.armed = false
        throw new Error('poison record')
      }
      return value
    })
    .groupByKey()
    .count()
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  return builder.build()
}

function start(
  t: { after: (fn: () => unknown) => void },
  app: string,
  input: string,
  output: string,
  poisoned: { armed: boolean },
  response: StreamThreadExceptionResponse,
  config: Partial<StreamsConfigInput> = {},
) {
  const dir = stateDir()
  const streams = new KafkaStreams(countApp(input, output, poisoned), {
    applicationId: app,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 200,
    ...config,
  })
  const errors: string[] = []
  const states: KafkaStreamsState[] = []
  streams.setStateListener((state) => states.push(state))
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error.message)
    return response
  })
  const restored = { count: 0 }
  streams.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _store, total) => (restored.count += total) })
  t.after(async () => {
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { streams, errors, states, restored, started: streams.start() }
}

async function counts(output: string): Promise<Map<string, number>> {
  const admin = client()
  return lastValues(admin, output).finally(() => admin.close())
}

test('REPLACE_THREAD: a new thread takes over after a failure and processes from the last commit', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('replace-input')
  const output = uniqueTopic('replace-output')
  await createTopics(admin, 2, input, output)
  const poisoned = { armed: true }
  const a = start(t, uniqueTopic('replace'), input, output, poisoned, 'REPLACE_THREAD')
  await a.started
  const producer = new TestProducer(2)
  t.after(() => producer.close())
  for (let i = 0; i < 200; i++) producer.send(input, `k${i % 4}`, i === 100 ? 'poison' : String(i), Date.now())
  await producer.flush()
  await waitFor(
    async () => [...(await counts(output)).values()].reduce((s, v) => s + v, 0) >= 200,
    60_000,
    'every record counted',
  )
  assert.equal(a.errors.length, 1)
  assert.match(
    a.errors[0] ?? '',
    /Exception caught in process\. taskId=0_\d, processor=KSTREAM-MAPVALUES-0000000001.*: poison record/,
  )
  assert.equal(a.streams.state(), 'RUNNING')
  assert.equal(a.streams.metadataForLocalThreads().length, 1)
  assert.ok(!a.states.includes('ERROR'))
})

test('SHUTDOWN_APPLICATION: one instance failing stops every instance of the application', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('shutdown-input')
  const output = uniqueTopic('shutdown-output')
  await createTopics(admin, 2, input, output)
  const app = uniqueTopic('shutdown')
  const poisoned = { armed: true }
  const a = start(t, app, input, output, poisoned, 'SHUTDOWN_APPLICATION')
  const b = start(t, app, input, output, poisoned, 'SHUTDOWN_APPLICATION')
  await Promise.all([a.started, b.started])
  await waitFor(() => [a, b].every((i) => i.streams.state() === 'RUNNING'), 60_000, 'both RUNNING')
  const producer = new TestProducer(2)
  t.after(() => producer.close())
  for (let i = 0; i < 20; i++) producer.send(input, `k${i}`, i === 10 ? 'poison' : String(i), Date.now())
  await producer.flush()
  await waitFor(() => [a, b].every((i) => i.streams.state() === 'ERROR'), 60_000, 'both in ERROR')
  const errors = [...a.errors, ...b.errors]
  assert.equal(errors.length, 1)
  assert.match(errors[0] ?? '', /poison record$/)
})

test('a new instance without state warms up as a standby before it takes tasks over', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('warmup-input')
  const output = uniqueTopic('warmup-output')
  await createTopics(admin, 2, input, output)
  const app = uniqueTopic('warmup')
  const config = { acceptableRecoveryLag: 0, probingRebalanceIntervalMs: 500, cacheMaxBytes: 0 }
  const disarmed = { armed: false }
  const a = start(t, app, input, output, disarmed, 'SHUTDOWN_CLIENT', config)
  await a.started
  const producer = new TestProducer(2)
  t.after(() => producer.close())
  for (let i = 0; i < 4000; i++) producer.send(input, `k${i % 50}`, String(i), Date.now())
  await producer.flush()
  await waitFor(() => a.streams.processedRecords === 4000, 60_000, 'A processed everything')

  const b = start(t, app, input, output, disarmed, 'SHUTDOWN_CLIENT', config)
  await b.started
  // B holds no state: the tasks stay on A while B restores them as warm-up standbys
  await waitFor(
    () => (b.streams.metadataForLocalThreads()[0]?.standbyTasks.length ?? 0) > 0,
    60_000,
    'a warm-up task on B',
  )
  assert.equal(b.streams.metadataForLocalThreads()[0]?.activeTasks.length, 0)
  // probing rebalances then hand one task to B, caught up
  await waitFor(
    () =>
      b.streams.metadataForLocalThreads()[0]?.activeTasks.length === 1 &&
      a.streams.metadataForLocalThreads()[0]?.activeTasks.length === 1,
    60_000,
    'one task on each instance',
  )
  for (let i = 0; i < 100; i++) producer.send(input, `k${i % 50}`, String(i), Date.now())
  await producer.flush()
  await waitFor(
    async () => {
      const result = await counts(output)
      return result.size === 50 && [...result.values()].every((v) => v === 82)
    },
    60_000,
    'exact counts',
  )
  t.diagnostic(`B restored ${b.restored.count} records when it became active (its warm-up had the rest)`)
})
