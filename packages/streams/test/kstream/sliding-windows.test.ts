import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  Duration,
  EmitStrategy,
  Headers,
  Materialized,
  Named,
  Produced,
  Serdes,
  SlidingWindows,
  StreamsBuilder,
  type KStream,
  type Topology,
  type Windowed,
} from '../../src/index.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

// Sliding-window aggregations through the TopologyTestDriver (Kafka `KStreamSlidingWindowAggregateTest`).
// Every expected output below was produced by Java Kafka Streams 4.4.0's TopologyTestDriver running the
// same topology and records (wall clock starting at 0); none is our own output pasted back.

type Step = readonly [key: string | null, value: string | null, timestamp: number, header?: string] | number
type Out = readonly [key: string, value: string | number, timestamp: number, header?: string]

const windowKey = (wk: Windowed<string | null>): string => `${String(wk.key)}@${wk.window.start}/${wk.window.end}`
const L = Produced.with(Serdes.String(), Serdes.Long())
const input = (b: StreamsBuilder): KStream<string | null, string | null> =>
  b.stream<string | null, string | null>('input')
const build = (define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build()
}
const noCache = { statestoreCacheMaxBytes: 0 }

/** Pipes the steps (records, or a number: wall-clock ms to advance) and reads `output` back as tuples. */
function run(
  t: TestContext,
  topology: Topology,
  steps: readonly Step[],
  options: { long?: boolean; config?: { readonly [key: string]: unknown } } = {},
): { out: Out[]; driver: TopologyTestDriver } {
  const driver = new TopologyTestDriver(
    topology,
    { applicationId: 'sliding', defaultKeySerde: 'string', defaultValueSerde: 'string', ...options.config },
    0,
  )
  t.after(() => driver.close())
  const topic = driver.createInputTopic('input', Serdes.String(), Serdes.String())
  for (const step of steps) {
    if (typeof step === 'number') {
      driver.advanceWallClockTime(step)
      continue
    }
    const [key, value, timestamp, header] = step
    topic.pipeInput(new TestRecord(key, value, new Headers(header === undefined ? [] : [['h', header]]), timestamp))
  }
  const out = driver
    .createOutputTopic<string, string | number>(
      'output',
      Serdes.String(),
      (options.long ? Serdes.Long() : Serdes.String()) as never,
    )
    .readRecordsToList()
    .map((r): Out => {
      const headers = r.headers.toArray()
      const value = r.value as string | number
      const timestamp = r.timestamp ?? -1
      return headers.length === 0
        ? [r.key as string, value, timestamp]
        : [r.key as string, value, timestamp, headers.map((h) => `${h.key}=${String(h.value)};`).join('')]
    })
  return { out, driver }
}

const earlySteps: Step[] = [
  ['a', '1', 500],
  ['a', '2', 200],
  ['a', '3', 1000],
  ['a', '4', 1500],
  ['a', '5', 800],
  ['a', '6', 100],
  ['b', '7', 0],
  ['a', '8', 2600],
  ['a', '9', 1999],
  ['b', '10', 999],
  ['b', '11', 1000],
]
const earlyOut: Out[] = [
  ['a@0/1000', 1, 500],
  ['a@201/1201', 1, 500],
  ['a@0/1000', 2, 500],
  ['a@201/1201', 2, 1000],
  ['a@0/1000', 3, 1000],
  ['a@501/1501', 1, 1000],
  ['a@501/1501', 2, 1500],
  ['a@1001/2001', 1, 1500],
  ['a@500/1500', 3, 1500],
  ['a@201/1201', 3, 1000],
  ['a@500/1500', 4, 1500],
  ['a@501/1501', 3, 1500],
  ['a@801/1801', 2, 1500],
  ['a@0/1000', 4, 1000],
  ['a@101/1101', 4, 1000],
  ['a@0/1000', 5, 1000],
  ['b@0/1000', 1, 0],
  ['a@1600/2600', 1, 2600],
  ['a@1600/2600', 2, 2600],
  ['a@1001/2001', 2, 1999],
  ['a@1501/2501', 1, 1999],
  ['a@999/1999', 3, 1999],
  ['a@2000/3000', 1, 2600],
  ['b@1/1001', 1, 999],
  ['b@0/1000', 2, 999],
  ['b@1/1001', 2, 1000],
  ['b@0/1000', 3, 1000],
  ['b@1000/2000', 1, 1000],
]
const earlyTopology = (): Topology =>
  build((b) =>
    input(b)
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(2000)))
      .count()
      .toStream(windowKey)
      .to('output', L),
  )

describe('sliding windows', () => {
  for (const store of ['lmdb', 'in_memory'] as const) {
    test(`records before the time difference share the window [0, diff] and get right windows (${store})`, (t) => {
      const { out } = run(t, earlyTopology(), earlySteps, {
        long: true,
        config: { ...noCache, defaultDslStore: store },
      })
      assert.deepEqual(out, earlyOut)
    })
  }

  test('with the cache on, each update still comes out once per record', (t) => {
    const { out } = run(t, earlyTopology(), earlySteps, { long: true })
    assert.deepEqual(out, earlyOut)
  })

  test('windows closed by grace are skipped one by one; a record whose right window closed is dropped', (t) => {
    const topology = build((b) =>
      input(b)
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
        .count()
        .toStream(windowKey)
        .to('output', L),
    )
    const { out } = run(
      t,
      topology,
      [
        ['a', '1', 1000],
        ['a', '2', 1150],
        ['a', '3', 1050],
        ['a', '4', 1040],
        ['a', '5', 1100],
        ['a', '6', 1300],
        ['a', '7', 1200],
        ['a', '8', 1199],
        ['b', '9', 1250],
        // skipped without advancing stream time, so 1290 is still in time
        ['a', null, 5000],
        [null, 'x', 6000],
        ['a', '10', 1290],
      ],
      { long: true, config: noCache },
    )
    assert.deepEqual(out, [
      ['a@900/1000', 1, 1000],
      ['a@1050/1150', 1, 1150],
      ['a@1050/1150', 2, 1150],
      ['a@1051/1151', 1, 1150],
      ['a@1051/1151', 2, 1150],
      ['a@1050/1150', 3, 1150],
      ['a@1101/1201', 1, 1150],
      ['a@1200/1300', 1, 1300],
      ['a@1200/1300', 2, 1300],
      ['a@1201/1301', 1, 1300],
      ['a@1201/1301', 2, 1300],
      ['a@1200/1300', 3, 1300],
      ['a@1291/1391', 1, 1300],
    ])
  })

  test('reduce with Named and a named, cached store: names, output and the store', (t) => {
    const topology = build((b) =>
      input(b)
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
        .reduce((x, y) => `${String(x)},${String(y)}`, Named.as('sliding-reduce'), Materialized.as('sliding-store'))
        .toStream(windowKey)
        .to('output'),
    )
    assert.equal(
      topology.describe().toString(),
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [input])
      --> sliding-reduce
    Processor: sliding-reduce (stores: [sliding-store])
      --> KTABLE-TOSTREAM-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KTABLE-TOSTREAM-0000000002 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000003
      <-- sliding-reduce
    Processor: KSTREAM-KEY-SELECT-0000000003 (stores: [])
      --> KSTREAM-SINK-0000000004
      <-- KTABLE-TOSTREAM-0000000002
    Sink: KSTREAM-SINK-0000000004 (topic: output)
      <-- KSTREAM-KEY-SELECT-0000000003

`,
    )
    const { out, driver } = run(t, topology, [
      ['a', 'p', 1000],
      ['a', 'q', 1500],
      ['a', 'r', 2200],
      ['a', 's', 1200],
      ['b', 't', 2000],
      ['a', 'u', 3000],
      ['a', 'v', 1800],
    ])
    assert.deepEqual(out, [
      ['a@0/1000', 'p', 1000],
      ['a@1001/2001', 'q', 1500],
      ['a@500/1500', 'p,q', 1500],
      ['a@1501/2501', 'r', 2200],
      ['a@1200/2200', 'q,r', 2200],
      ['a@1200/2200', 'q,r,s', 2200],
      ['a@1001/2001', 'q,s', 1500],
      ['a@1201/2201', 'q,r', 2200],
      ['b@1000/2000', 't', 2000],
      ['a@2201/3201', 'u', 3000],
      ['a@2000/3000', 'r,u', 3000],
      ['a@1501/2501', 'r,v', 2200],
      ['a@1801/2801', 'r', 2200],
    ])
    const store = driver.getTimestampedWindowStore<string, string>('sliding-store')
    assert.ok(store)
    const windows: [number, string, number][] = []
    for (const { key, value } of store.fetchRange('a', 1001, 2201)) windows.push([key, value.value, value.timestamp])
    assert.deepEqual(windows, [
      [1001, 'q,s', 1500],
      [1200, 'q,r,s', 2200],
      [1201, 'q,r', 2200],
      [1501, 'r,v', 2200],
      [1801, 'r', 2200],
      [2000, 'r,u', 3000],
      [2201, 'u', 3000],
    ])
    assert.deepEqual(store.fetch('b', 1000), { value: 't', timestamp: 2000 })
  })

  test('onWindowClose forwards each closed window once, by start then key, with the triggering headers', (t) => {
    const topology = build((b) =>
      input(b)
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(200)))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count()
        .toStream(windowKey)
        .to('output', L),
    )
    const { out } = run(
      t,
      topology,
      [
        ['a', '1', 1000],
        ['b', '2', 1100],
        ['a', '3', 1500, 'h3'],
        ['a', '4', 300],
        1000,
        ['a', '5', 2800, 'h5'],
        ['b', '6', 2900],
        1000,
        ['b', '7', 3400, 'h7'],
        ['a', '8', 3500],
        1000,
        // an early record never triggers emit-final
        ['a', '9', 500, 'h9'],
        ['a', '10', 6000, 'h10'],
        1000,
        ['c', '11', 6000, 'h11'],
      ],
      // Java's TopologyTestDriver sets this internal emit interval to 0 unless configured
      { long: true, config: { ...noCache, '__emit.interval.ms.kstreams.windowed.aggregation__': 0 } },
    )
    assert.deepEqual(out, [
      ['a@0/1000', 1, 1000, 'h=h3;'],
      ['b@100/1100', 1, 1100, 'h=h3;'],
      ['a@301/1301', 1, 1000, 'h=h5;'],
      ['a@500/1500', 2, 1500, 'h=h5;'],
      ['a@1001/2001', 1, 1500, 'h=h5;'],
      ['a@1800/2800', 1, 2800, 'h=h7;'],
      ['b@1900/2900', 1, 2900, 'h=h7;'],
      ['a@2801/3801', 1, 3500, 'h=h10;'],
      ['b@2901/3901', 1, 3400, 'h=h10;'],
    ])
  })

  test('count(Materialized) burns no store name; store and processor names follow Kafka', () => {
    const topology = build((b) => {
      const grouped = input(b).groupByKey()
      const windows = SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500))
      grouped
        .windowedBy(windows)
        .count(Materialized.with(Serdes.String(), Serdes.Long()))
        .toStream(windowKey)
        .to('output', L)
      grouped
        .windowedBy(windows)
        .aggregate(
          () => '',
          (_k, v, agg) => agg + String(v),
          Named.as('agg'),
        )
        .toStream(windowKey)
        .mapValues(() => '0')
        .to('other')
    })
    assert.equal(
      topology.describe().toString(),
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [input])
      --> KSTREAM-AGGREGATE-0000000002, agg
    Processor: agg (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000006])
      --> KTABLE-TOSTREAM-0000000008
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])
      --> KTABLE-TOSTREAM-0000000003
      <-- KSTREAM-SOURCE-0000000000
    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000009
      <-- agg
    Processor: KSTREAM-KEY-SELECT-0000000009 (stores: [])
      --> KSTREAM-MAPVALUES-0000000010
      <-- KTABLE-TOSTREAM-0000000008
    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000004
      <-- KSTREAM-AGGREGATE-0000000002
    Processor: KSTREAM-KEY-SELECT-0000000004 (stores: [])
      --> KSTREAM-SINK-0000000005
      <-- KTABLE-TOSTREAM-0000000003
    Processor: KSTREAM-MAPVALUES-0000000010 (stores: [])
      --> KSTREAM-SINK-0000000011
      <-- KSTREAM-KEY-SELECT-0000000009
    Sink: KSTREAM-SINK-0000000005 (topic: output)
      <-- KSTREAM-KEY-SELECT-0000000004
    Sink: KSTREAM-SINK-0000000011 (topic: other)
      <-- KSTREAM-MAPVALUES-0000000010

`,
    )
  })

  test('a retention shorter than 2 × time difference + grace is refused', () => {
    const grouped = input(new StreamsBuilder())
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
    assert.throws(
      () => grouped.count(Materialized.as<string | null, number>('s').withRetention(2499)),
      /must be no smaller than 2 \* time difference plus the grace period\. Got time difference=\[1000\], grace=\[500\], retention=\[2499\]/,
    )
  })
})
