import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import {
  EmitStrategy,
  Headers,
  Materialized,
  Named,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  type Topology,
  type Windowed,
} from '../../src/index.ts'
import type { SessionStore } from '../../src/state/session-store.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

// Session-window aggregations beyond the golden scenarios: names and stores, emit-final, and the checks
// Kafka makes when the topology is built.

const config = { applicationId: 'sessions', defaultKeySerde: 'string', defaultValueSerde: 'string' }
const windowKey = (wk: Windowed<string>): string => `${wk.key}@${wk.window.start}/${wk.window.end}`

interface Driven {
  readonly driver: TopologyTestDriver
  readonly pipe: (key: string | null, value: string, timestamp: number) => void
  readonly read: () => string[]
}

function drive(t: TestContext, topology: Topology, extra: Record<string, unknown> = {}): Driven {
  const driver = new TopologyTestDriver(topology, { ...config, ...extra }, 0)
  t.after(() => driver.close())
  const input = driver.createInputTopic<string | null, string>('input', Serdes.String(), Serdes.String())
  const output = driver.createOutputTopic('output', Serdes.String(), Serdes.Long())
  return {
    driver,
    pipe: (key, value, timestamp) => input.pipeInput(key, value, timestamp),
    read: () => output.readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`),
  }
}

test('count(Named, Materialized.as) names the processor and a queryable session store', (t) => {
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('input')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(100))
    .count(Named.as('counter'), Materialized.as<string, number>('sessions'))
    .toStream(windowKey)
    .to('output')
  const topology = builder.build()
  assert.match(topology.describe().toString(), /Processor: counter \(stores: \[sessions\]\)/)
  const { driver, pipe } = drive(t, topology)
  pipe('a', 'x', 10)
  pipe('a', 'y', 50)
  pipe('a', 'z', 500)
  pipe(null, 'dropped', 510)
  const store = driver.getStateStore<SessionStore<string, number>>('sessions')
  assert.ok(store)
  const sessions: string[] = []
  for (const { key, value } of store.fetch('a')) sessions.push(`${windowKey(key)}=${value}`)
  assert.deepEqual(sessions, ['a@10/50=2', 'a@500/500=1'])
})

test('count(Materialized) without a name burns a store name, as Kafka does', () => {
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('input')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(100))
    .count(Materialized.with<string, number>(Serdes.String(), Serdes.Long()))
  assert.match(
    builder.build().describe().toString(),
    /Processor: KSTREAM-AGGREGATE-0000000003 \(stores: \[KSTREAM-AGGREGATE-STATE-STORE-0000000002\]\)/,
  )
})

test('a retention shorter than gap + grace is refused', () => {
  const windowed = new StreamsBuilder()
    .stream<string, string>('input')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(100, 50))
  assert.throws(
    () => windowed.count(Materialized.as<string, number>('s').withRetention(149)),
    /retention period of the session store s must be no smaller than the session inactivity gap plus the grace period\. Got gap=\[100\], grace=\[50\], retention=\[149\]/,
  )
})

function emitFinalTopology(materialized?: Materialized<string, number>): Topology {
  const builder = new StreamsBuilder()
  const windowed = builder
    .stream<string, string>('input')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(100))
    .emitStrategy(EmitStrategy.onWindowClose())
  ;(materialized ? windowed.count(materialized) : windowed.count()).toStream(windowKey).to('output')
  return builder.build()
}

const EMIT_INTERVAL = '__emit.interval.ms.kstreams.windowed.aggregation__'

test('emit-final forwards each closed session once, with the headers of the record that closed it', (t) => {
  const driver = new TopologyTestDriver(emitFinalTopology(), config, 0)
  t.after(() => driver.close())
  const input = driver.createInputTopic('input', Serdes.String(), Serdes.String())
  const output = driver.createOutputTopic('output', Serdes.String(), Serdes.Long())
  input.pipeInput('a', 'x', 0)
  input.pipeInput('a', 'x', 50)
  input.pipeInput('b', 'x', 120)
  assert.equal(output.getQueueSize(), 0)
  // closes everything ending before 300 - 100; the on-disk store still holds the sessions past retention
  input.pipeInput(new TestRecord('a', 'x', new Headers([['h', 'v']]), 300))
  const closed = output.readRecordsToList()
  assert.deepEqual(
    closed.map((r) => `${r.key}=${r.value}@${r.timestamp}`),
    ['a@0/50=2@50', 'b@120/120=1@120'],
  )
  assert.deepEqual(
    closed.map((r) => r.headers.toArray().map((h) => `${h.key}=${String(h.value)}`)),
    [['h=v'], ['h=v']],
  )
  input.pipeInput('a', 'x', 310)
  input.pipeInput('a', 'x', 600)
  assert.deepEqual(
    output.readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`),
    ['a@300/310=2@310'],
  )
})

test('emit-final looks for closed sessions at most once per emit interval of wall-clock time', (t) => {
  const { driver, pipe, read } = drive(t, emitFinalTopology(), { [EMIT_INTERVAL]: 1000 })
  pipe('a', 'x', 0)
  pipe('a', 'x', 300)
  assert.deepEqual(read(), [])
  driver.advanceWallClockTime(1000)
  pipe('b', 'x', 310)
  assert.deepEqual(read(), ['a@0/0=1@0'])
})

test('emit-final on the in-memory store loses sessions past retention, as Kafka does', (t) => {
  const { pipe, read } = drive(t, emitFinalTopology(), { defaultDslStore: 'in_memory' })
  pipe('a', 'x', 0)
  pipe('a', 'x', 50)
  pipe('a', 'x', 300)
  assert.deepEqual(read(), [])
  const longer = Materialized.with<string, number>(Serdes.String(), Serdes.Long()).withRetention(1000)
  const kept = drive(t, emitFinalTopology(longer), { defaultDslStore: 'in_memory' })
  kept.pipe('a', 'x', 0)
  kept.pipe('a', 'x', 50)
  kept.pipe('a', 'x', 300)
  assert.deepEqual(kept.read(), ['a@0/50=2@50'])
})
