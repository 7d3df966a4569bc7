import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  Duration,
  Materialized,
  Serdes,
  Stores,
  StreamsBuilder,
  TableJoined,
  type KTable,
  type Serde,
  type Topology,
} from '../../src/index.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

// Foreign-key table joins through the TopologyTestDriver (Kafka `KTableKTableForeignKeyJoinIntegrationTest`
// and friends). Every expected output below was produced by Java Kafka Streams 4.4.0's TopologyTestDriver
// running the same topology and records (application id "fk", String serdes, no cache unless said); none
// is our own output pasted back. Steps are "L|R|T key value|- timestamp" for the topics left, right, third.

type Tables = [KTable<string, string>, KTable<string, string>]

const fk = (v: string): string => v.split(':')[0] as string
const fkOrNull = (v: string): string | null => (v.includes(':') ? (v.split(':')[0] as string) : null)
const plus = (lv: string | null, rv: string | null): string => `${String(lv)}+${String(rv)}`
const hex: Serde<string> = {
  serializer: () => ({ serialize: (_t, data) => (data === null ? null : Buffer.from(data, 'hex')) }),
  deserializer: () => ({ deserialize: (_t, data) => (data === null ? null : data.toString('hex')) }),
}

function build(define: (b: StreamsBuilder, tables: Tables) => void): Topology {
  const b = new StreamsBuilder()
  define(b, [b.table<string, string>('left'), b.table<string, string>('right')])
  return b.build()
}

/** Pipes the steps and returns "key value timestamp" lines of `output`, then of each topic in `dump` (hex). */
function run(
  t: TestContext,
  topology: Topology,
  steps: readonly string[],
  dump: readonly string[] = [],
  cached = false,
): { lines: string[]; driver: TopologyTestDriver } {
  const driver = new TopologyTestDriver(
    topology,
    {
      applicationId: 'fk',
      defaultKeySerde: 'string',
      defaultValueSerde: 'string',
      ...(cached ? {} : { statestoreCacheMaxBytes: 0 }),
    },
    0,
  )
  t.after(() => driver.close())
  const topics = { L: 'left', R: 'right', T: 'third' } as const
  for (const step of steps) {
    const [topic, key, value, timestamp] = step.split(' ') as [keyof typeof topics, string, string, string]
    driver
      .createInputTopic(topics[topic], Serdes.String(), Serdes.String())
      .pipeInput(new TestRecord(key, value === '-' ? null : value, undefined, Number(timestamp)))
  }
  const lines = driver
    .createOutputTopic('output', Serdes.String(), Serdes.String())
    .readRecordsToList()
    .map((r) => `out ${String(r.key)} ${String(r.value)} ${r.timestamp}`)
  for (const topic of dump) {
    for (const r of driver.createOutputTopic(topic, hex, hex).readRecordsToList())
      lines.push(`${topic} ${String(r.key)} ${String(r.value)} ${r.timestamp}`)
  }
  return { lines, driver }
}

const moves = [
  'R r1 R1 10',
  'R r2 R2 20',
  'L a r1:x 30',
  'L a r2:y 40',
  'R r1 R1b 50',
  'R r2 R2b 60',
  'L a r2:z 70',
  'L a r3:w 80',
  'L a r3:w2 90',
  'R r3 R3 100',
  'R r2 R2c 110',
]

const deletes = [
  'L b q1:1 10',
  'R q1 Q1 20',
  'R q1 - 30',
  'L b q1:2 40',
  'R q1 Q1b 45',
  'L b - 50',
  'L b - 60',
  'R q1 Q1c 70',
  'L c q1:3 80',
  'R q1 - 90',
  'R q1 - 95',
  'L c - 100',
]

const nullForeignKeys = [
  'R f1 F1 5',
  'L c f1:1 10',
  'L c nofk 20',
  'L c nofk2 30',
  'L c f1:2 40',
  'L d nofk 50',
  'L d - 60',
  'L c - 70',
]

describe('KTable foreign-key join', () => {
  test('a changed foreign key moves the row: the old right row no longer joins, the new one does', (t) => {
    const topology = build((_b, [lt, rt]) => lt.join(rt, fk, plus).toStream().to('output'))
    assert.deepEqual(run(t, topology, moves).lines, [
      'out a r1:x+R1 30',
      'out a r2:y+R2 40',
      'out a r2:y+R2b 60',
      'out a r2:z+R2b 70',
      // r3 does not exist: the result for a is deleted
      'out a null 80',
      // same foreign key, still no right row: nothing (it did not join before either)
      'out a r3:w2+R3 100',
    ])
  })

  test('left join: a row whose foreign key points at no row joins with null', (t) => {
    const topology = build((_b, [lt, rt]) => lt.leftJoin(rt, fk, plus).toStream().to('output'))
    assert.deepEqual(run(t, topology, moves).lines, [
      'out a r1:x+R1 30',
      'out a r2:y+R2 40',
      'out a r2:y+R2b 60',
      'out a r2:z+R2b 70',
      'out a r3:w+null 80',
      'out a r3:w2+null 90',
      'out a r3:w2+R3 100',
    ])
  })

  test('deletes on both sides, inner join', (t) => {
    const topology = build((_b, [lt, rt]) => lt.join(rt, fk, plus).toStream().to('output'))
    assert.deepEqual(run(t, topology, deletes).lines, [
      'out b q1:1+Q1 20',
      'out b null 30',
      'out b q1:2+Q1b 45',
      'out b null 50',
      'out c q1:3+Q1c 80',
      'out c null 90',
      // every right delete answers the subscribers, twice deleted or not
      'out c null 95',
      'out c null 100',
    ])
  })

  test('deletes on both sides, left join', (t) => {
    const topology = build((_b, [lt, rt]) => lt.leftJoin(rt, fk, plus).toStream().to('output'))
    assert.deepEqual(run(t, topology, deletes).lines, [
      'out b q1:1+null 10',
      'out b q1:1+Q1 20',
      'out b q1:1+null 30',
      'out b q1:2+null 40',
      'out b q1:2+Q1b 45',
      'out b null 50',
      'out c q1:3+Q1c 80',
      'out c q1:3+null 90',
      'out c q1:3+null 95',
      'out c null 100',
    ])
  })

  test('a null foreign key: dropped by the inner join (deleting a previous result), joined with null by the left join', (t) => {
    const inner = build((_b, [lt, rt]) => lt.join(rt, fkOrNull, plus).toStream().to('output'))
    assert.deepEqual(run(t, inner, nullForeignKeys).lines, [
      'out c f1:1+F1 10',
      'out c null 20',
      'out c f1:2+F1 40',
      'out c null 70',
    ])
    const left = build((_b, [lt, rt]) => lt.leftJoin(rt, fkOrNull, plus).toStream().to('output'))
    assert.deepEqual(run(t, left, nullForeignKeys).lines, [
      'out c f1:1+F1 10',
      'out c nofk+null 20',
      'out c nofk2+null 30',
      'out c f1:2+F1 40',
      'out d nofk+null 50',
      'out d null 60',
      'out c null 70',
    ])
  })

  test('an extractor declaring two parameters gets the key too (KIP-1104)', (t) => {
    const topology = build((_b, [lt, rt]) =>
      lt
        .join(rt, (k: string, v: string) => (v === 'self' ? k : v), plus)
        .toStream()
        .to('output'),
    )
    const steps = ['R k1 K1 5', 'R x X 6', 'L k1 self 10', 'L k2 x 20', 'L k2 self 30', 'R k2 K2 40']
    assert.deepEqual(run(t, topology, steps).lines, [
      'out k1 self+K1 10',
      'out k2 x+X 20',
      'out k2 null 30',
      'out k2 self+K2 40',
    ])
  })

  test('Materialized.as names the result store, which can be queried', (t) => {
    const topology = build((_b, [lt, rt]) =>
      lt.join(rt, fk, plus, Materialized.as<string, string>('fk-out')).toStream().to('output'),
    )
    const { lines, driver } = run(t, topology, ['R r1 R1 5', 'L a r1:1 10', 'L b r1:2 20', 'R r1 R1b 30', 'L a - 40'])
    assert.deepEqual(lines, [
      'out a r1:1+R1 10',
      'out b r1:2+R1 20',
      'out a r1:1+R1b 30',
      'out b r1:2+R1b 30',
      'out a null 40',
    ])
    const store = driver.getKeyValueStore<string, string>('fk-out')
    assert.ok(store)
    assert.deepEqual(
      [...store.all()].map(({ key, value }) => `${key} ${value}`),
      ['b r1:2+R1b'],
    )
    assert.match(topology.describe().toString(), /Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 \(stores: \[fk-out\]\)/)
    assert.match(topology.describe().toString(), /Processor: KTABLE-TOSTREAM-0000000019 /)
  })

  test('with caching, the materialized result forwards through its cache (flushed after every record)', (t) => {
    const topology = build((_b, [lt, rt]) =>
      lt.leftJoin(rt, fk, plus, Materialized.as<string, string>('fk-out')).toStream().to('output'),
    )
    const steps = ['R r1 R1 10', 'R r2 R2 20', 'L a r1:x 30', 'L b r1:y 35', 'L a r2:y 40', 'R r1 R1b 50', 'R r2 - 60']
    assert.deepEqual(run(t, topology, [...steps, 'L b - 70'], [], true).lines, [
      'out a r1:x+R1 30',
      'out b r1:y+R1 35',
      'out a r2:y+R2 40',
      'out b r1:y+R1b 50',
      'out a r2:y+null 60',
      'out b null 70',
    ])
  })

  test('a downstream operator reading the result materializes it under its generated store name', (t) => {
    const topology = build((b, [lt, rt]) =>
      lt
        .join(rt, fk, plus)
        .filter((_k, v) => !v.includes('X'))
        .join(b.table<string, string>('third'), plus)
        .toStream()
        .to('output'),
    )
    assert.equal(topology.describe().toString(), downstreamDescribe)
    const steps = ['R r1 R1 5', 'L a r1:1 10', 'L b r1:X 20', 'T a T3 30', 'R r1 R1b 40']
    assert.deepEqual(run(t, topology, steps).lines, ['out a r1:1+R1+T3 30', 'out a r1:1+R1b+T3 40'])
  })

  test('the internal topics and the subscription store changelog carry the bytes Java writes', (t) => {
    const topology = build((_b, [lt, rt]) =>
      lt.join(rt, fk, plus, TableJoined.as<string, string>('fkb')).toStream().to('output'),
    )
    const steps = ['R r1 R1 5', 'L a r1:1 10', 'L a r2:2 20', 'R r2 R2 30', 'L a - 40']
    const registration = 'fk-fkb-subscription-registration-topic'
    const response = 'fk-fkb-subscription-response-topic'
    const changelog = 'fk-fkb-subscription-store-changelog'
    assert.deepEqual(run(t, topology, steps, [registration, response, changelog]).lines, [
      'out a r1:1+R1 10',
      'out a null 20',
      'out a r2:2+R2 30',
      'out a null 40',
      `${registration} 7231 010331b391d6e46774be6bad44ca25f097946100000000 10`,
      `${registration} 7231 010017db33cc5dea6a5a860705401ee49f3d6100000000 20`,
      `${registration} 7232 010217db33cc5dea6a5a860705401ee49f3d6100000000 20`,
      `${registration} 7232 81016100000000 40`,
      `${response} 61 0031b391d6e46774be6bad44ca25f097945231 10`,
      `${response} 61 0017db33cc5dea6a5a860705401ee49f3d 20`,
      `${response} 61 0017db33cc5dea6a5a860705401ee49f3d5232 30`,
      `${response} 61 80 40`,
      `${changelog} 00000002723161 010331b391d6e46774be6bad44ca25f097946100000000 10`,
      `${changelog} 00000002723161 null 20`,
      `${changelog} 00000002723261 010217db33cc5dea6a5a860705401ee49f3d6100000000 20`,
      `${changelog} 00000002723261 null 40`,
    ])
  })

  test('TableJoined partitioners route the subscription and response topics, seeing keys only', (t) => {
    const calls: string[] = []
    const topology = build((_b, [lt, rt]) =>
      lt
        .join(
          rt,
          fk,
          plus,
          TableJoined.with<string, string>(
            (topic, key, value, n) => {
              calls.push(`response ${topic} ${key} ${String(value)} ${n}`)
              return 0
            },
            (topic, key, value, n) => {
              calls.push(`subscription ${topic} ${key} ${String(value)} ${n}`)
              return [0]
            },
          ),
        )
        .toStream()
        .to('output'),
    )
    assert.deepEqual(run(t, topology, ['R r1 R1 5', 'L a r1:1 10']).lines, ['out a r1:1+R1 10'])
    assert.deepEqual(calls, [
      'subscription fk-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic r1 null 1',
      'response fk-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic a null 1',
    ])
  })

  test('a TableJoined partitioner must name one partition', (t) => {
    const topology = build((_b, [lt, rt]) =>
      lt
        .join(
          rt,
          fk,
          plus,
          TableJoined.with<string, string>(undefined, () => [0, 1]),
        )
        .toStream()
        .to('output'),
    )
    assert.throws(() => run(t, topology, ['L a r1:1 10']), /should be a singleton set/)
  })

  test('TableJoined names must make legal topic names', () => {
    assert.throws(
      () => build((_b, [lt, rt]) => lt.join(rt, fk, plus, TableJoined.as<string, string>('a b'))),
      /illegal/,
    )
  })

  test('versioned tables: out-of-order updates of either side do not join (KIP-914)', (t) => {
    const versionedLeft = (() => {
      const b = new StreamsBuilder()
      const lt = b.table<string, string>(
        'left',
        Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('lv', Duration.ofMinutes(5))),
      )
      lt.join(b.table<string, string>('right'), fk, plus).toStream().to('output')
      return b.build()
    })()
    assert.deepEqual(
      run(t, versionedLeft, ['R r1 R1 5', 'R r2 R2 6', 'L a r1:1 100', 'L a r2:2 50', 'L a r2:3 150']).lines,
      ['out a r1:1+R1 100', 'out a r2:3+R2 150'],
    )
    const versionedRight = (() => {
      const b = new StreamsBuilder()
      const rt = b.table<string, string>(
        'right',
        Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('rv', Duration.ofMinutes(5))),
      )
      b.table<string, string>('left').join(rt, fk, plus).toStream().to('output')
      return b.build()
    })()
    assert.deepEqual(run(t, versionedRight, ['R r1 R1 100', 'L a r1:1 110', 'R r1 R1old 50', 'R r1 R1new 120']).lines, [
      'out a r1:1+R1 110',
      'out a r1:1+R1new 120',
    ])
  })
})

const downstreamDescribe = `Topologies:
   Sub-topology: 0
    Source: KTABLE-SOURCE-0000000016 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [left-STATE-STORE-0000000000])
      --> KTABLE-FK-JOIN-OUTPUT-0000000018
      <-- KTABLE-SOURCE-0000000016
    Source: KSTREAM-SOURCE-0000000022 (topics: [third])
      --> KTABLE-SOURCE-0000000023
    Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019])
      --> KTABLE-FILTER-0000000020
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017
    Processor: KTABLE-FILTER-0000000020 (stores: [])
      --> KTABLE-JOINTHIS-0000000025
      <-- KTABLE-FK-JOIN-OUTPUT-0000000018
    Processor: KTABLE-SOURCE-0000000023 (stores: [third-STATE-STORE-0000000021])
      --> KTABLE-JOINOTHER-0000000026
      <-- KSTREAM-SOURCE-0000000022
    Source: KSTREAM-SOURCE-0000000001 (topics: [left])
      --> KTABLE-SOURCE-0000000002
    Processor: KTABLE-JOINOTHER-0000000026 (stores: [KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019])
      --> KTABLE-MERGE-0000000024
      <-- KTABLE-SOURCE-0000000023
    Processor: KTABLE-JOINTHIS-0000000025 (stores: [third-STATE-STORE-0000000021])
      --> KTABLE-MERGE-0000000024
      <-- KTABLE-FILTER-0000000020
    Processor: KTABLE-MERGE-0000000024 (stores: [])
      --> KTABLE-TOSTREAM-0000000027
      <-- KTABLE-JOINTHIS-0000000025, KTABLE-JOINOTHER-0000000026
    Processor: KTABLE-SOURCE-0000000002 (stores: [left-STATE-STORE-0000000000])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007
      <-- KSTREAM-SOURCE-0000000001
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])
      --> KTABLE-SINK-0000000008
      <-- KTABLE-SOURCE-0000000002
    Processor: KTABLE-TOSTREAM-0000000027 (stores: [])
      --> KSTREAM-SINK-0000000028
      <-- KTABLE-MERGE-0000000024
    Sink: KSTREAM-SINK-0000000028 (topic: output)
      <-- KTABLE-TOSTREAM-0000000027
    Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000004 (topics: [right])
      --> KTABLE-SOURCE-0000000005
    Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012
      <-- KTABLE-SOURCE-0000000009
    Processor: KTABLE-SOURCE-0000000005 (stores: [right-STATE-STORE-0000000003])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013
      <-- KSTREAM-SOURCE-0000000004
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [right-STATE-STORE-0000000003])
      --> KTABLE-SINK-0000000015
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])
      --> KTABLE-SINK-0000000015
      <-- KTABLE-SOURCE-0000000005
    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012, KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013

`
