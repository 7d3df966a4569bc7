// The TypeScript twins of scripts/reference/src/main/java/dev/kstreams/reference/Topologies.java: the same
// programs, so that describe() and the outputs can be compared with Java's golden files.
import {
  Branched,
  Suppressed,
  Duration,
  EmitStrategy,
  TimeWindows,
  SessionWindows,
  SlidingWindows,
  type Windowed,
  Grouped,
  Materialized,
  Consumed,
  Named,
  Printed,
  Produced,
  PunctuationType,
  Record,
  Repartitioned,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  type FixedKeyProcessorContext,
  type FixedKeyRecord,
  type KStream,
  type StreamsConfigInput,
  type ProcessorContext,
  type TimestampedKeyValueStore,
} from '../../src/index.ts'

const upper = (v: string | null): string | null => (v === null ? null : v.toUpperCase())
const longerThan3 = (_k: string | null, v: string | null): boolean => v !== null && v.length > 3
const input = (b: StreamsBuilder): KStream<string | null, string | null> =>
  b.stream<string | null, string | null>('input')
const fromBuilder = (config: StreamsConfigInput, define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build(config)
}

/** Java's `TopicNameExtractor` class of the same name; its name is what describe() prints. */
function ValuePrefixTopicExtractor(_k: string | null, v: string | null): string {
  return v !== null && v.startsWith('a') ? 'output-a' : 'output-b'
}

export const topologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  filter: (c) => fromBuilder(c, (b) => input(b).filter(longerThan3).to('output')),
  'filter-not': (c) => fromBuilder(c, (b) => input(b).filterNot(longerThan3).to('output')),
  map: (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .map((k, v) => ({ key: v, value: k }))
        .to('output'),
    ),
  'map-values': (c) => fromBuilder(c, (b) => input(b).mapValues(upper).to('output')),
  'map-values-with-key': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .mapValues((k: string | null, v: string | null) => `${String(k)}:${String(v)}`)
        .to('output'),
    ),
  'flat-map': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .flatMap((k, v) => (v === null ? [] : v.split(' ').map((w): [string, string | null] => [w, k])))
        .to('output'),
    ),
  'flat-map-values': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .flatMapValues((v: string | null) => (v === null ? [] : v.split(' ')))
        .to('output'),
    ),
  'select-key': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .selectKey((_k, v) => (v === null ? null : v.substring(0, 1)))
        .to('output'),
    ),
  peek: (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .peek(() => {})
        .mapValues(upper)
        .to('output'),
    ),
  foreach: (c) => fromBuilder(c, (b) => input(b).foreach(() => {})),
  print: (c) =>
    fromBuilder(c, (b) => {
      const s = input(b)
      s.print(Printed.toFile<string | null, string | null>('/dev/null').withLabel('x'))
      s.to('output')
    }),
  'split-branched': (c) =>
    fromBuilder(c, (b) => {
      const branches = input(b)
        .split(Named.as('split-'))
        .branch((_k, v) => v !== null && v.startsWith('a'), Branched.as('a'))
        .branch(
          (_k, v) => v !== null && v.startsWith('b'),
          Branched.withConsumer((ks) => ks.mapValues(upper).to('output-b')),
        )
        .defaultBranch(Branched.as('other'))
      branches.get('split-a')?.to('output-a')
      branches.get('split-other')?.to('output-other')
    }),
  'split-no-names': (c) =>
    fromBuilder(c, (b) => {
      const branches = input(b)
        .split()
        .branch((_k, v) => v !== null && v.startsWith('a'))
        .branch((_k, v) => v !== null && v.startsWith('b'))
        .noDefaultBranch()
      const names = [...branches.keys()].sort()
      branches.get(names[0] ?? '')?.to('output-a')
      branches.get(names[1] ?? '')?.to('output-b')
    }),
  merge: (c) =>
    fromBuilder(c, (b) => {
      const s1 = input(b)
      const s2 = b.stream<string | null, string | null>('input2').mapValues(upper)
      s1.merge(s2).to('output')
    }),
  'to-extractor': (c) => fromBuilder(c, (b) => input(b).to(ValuePrefixTopicExtractor)),
  'to-partitioner': (c) =>
    fromBuilder(c, (b) =>
      input(b).to('output', Produced.with(Serdes.String(), Serdes.String()).withStreamPartitioner(() => [0]) as never),
    ),
  'repartition-named': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .selectKey((_k, v) => (v === null ? null : v.substring(0, 1)))
        .repartition(Repartitioned.as('rekeyed'))
        .mapValues((k: string | null, v: string | null) => `${String(k)}:${String(v)}`)
        .to('output'),
    ),
  'repartition-unnamed': (c) => fromBuilder(c, (b) => input(b).repartition().filter(longerThan3).to('output')),
  'named-operators': (c) =>
    fromBuilder(c, (b) =>
      b
        .stream<string, string>('input', Consumed.as('my-source'))
        .filter((_k, v) => v !== null && v.length > 3, Named.as('my-filter'))
        .mapValues((v: string) => v.toUpperCase(), Named.as('my-map'))
        .to('output', Produced.as('my-sink')),
    ),
  'multi-topic-source': (c) =>
    fromBuilder(c, (b) => b.stream<string | null, string | null>(['input', 'input2']).mapValues(upper).to('output')),
  'pattern-source': (c) => fromBuilder(c, (b) => b.stream(/input.*/).to('output')),
  'timestamp-extractor': (c) =>
    fromBuilder(c, (b) =>
      b
        .stream(
          'input',
          Consumed.with(Serdes.String(), Serdes.String()).withTimestampExtractor((rec) =>
            Number((rec.value as string).split(',')[0]),
          ),
        )
        .to('output'),
    ),
  'process-punctuate': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .process<string | null, number>(() => {
          let count = 0
          let context: ProcessorContext<string | null, number>
          return {
            init(c) {
              context = c
              c.schedule(1000, PunctuationType.STREAM_TIME, (ts) => context.forward(new Record('tick', count, ts)))
            },
            process(record) {
              count++
              context.forward(record.withValue(count))
            },
          }
        }, Named.as('counter'))
        .to('output', Produced.with(Serdes.String(), Serdes.Long()) as never),
    ),
  'process-values': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .processValues<string | null>(() => {
          let context: FixedKeyProcessorContext<string | null, string | null>
          return {
            init(c) {
              context = c
            },
            process(record: FixedKeyRecord<string | null, string | null>) {
              const out = record.withValue(record.value === null ? null : `${record.value}!`)
              out.headers.add('seen', 'yes')
              context.forward(out)
            },
          }
        })
        .to('output'),
    ),
  'processor-api': () => {
    const topology = new Topology()
    topology.addSource('Source', Serdes.String().deserializer(), Serdes.String().deserializer(), 'input')
    topology.addProcessor<string, string | null, string, string | null>(
      'Upper',
      () => {
        let context: ProcessorContext<string, string | null>
        return {
          init(c) {
            context = c
          },
          process(record) {
            const out = record.withValue(upper(record.value))
            context.forward(out, 'SinkA')
            if (out.value !== null) context.forward(out, 'Len')
          },
        }
      },
      'Source',
    )
    topology.addProcessor<string, string, string, number>(
      'Len',
      () => {
        let context: ProcessorContext<string, number>
        return {
          init(c) {
            context = c
          },
          process(record) {
            context.forward(record.withValue(record.value.length))
          },
        }
      },
      'Upper',
    )
    topology.addSink('SinkA', 'output-a', Serdes.String().serializer(), Serdes.String().serializer(), 'Upper')
    topology.addSink('SinkB', 'output-b', Serdes.String().serializer(), Serdes.Long().serializer(), 'Len')
    return topology
  },
  'wall-clock-punctuate': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .process<string | null, string | null>(() => {
          let context: ProcessorContext<string | null, string | null>
          return {
            init(c) {
              context = c
              c.schedule(1000, PunctuationType.WALL_CLOCK_TIME, (ts) =>
                context.forward(new Record('wall', String(ts), ts)),
              )
            },
            process(record) {
              context.forward(record)
            },
          }
        })
        .to('output'),
    ),
  'headers-timestamps': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .process<string | null, string | null>(() => {
          let context: ProcessorContext<string | null, string | null>
          return {
            init(c) {
              context = c
            },
            process(record) {
              const out = record.withTimestamp(record.timestamp + 10)
              out.headers.add('shifted', '10')
              context.forward(out)
            },
          }
        })
        .to('output'),
    ),
}

const L = Produced.with(Serdes.String(), Serdes.Long())
function mergedAggregations(b: StreamsBuilder): void {
  const first = input(b).selectKey(firstLetter)
  const second = b
    .stream<string, string | null>('input2')
    .map((_k, v) => ({ key: v === null ? null : v.substring(0, 1), value: v }))
  const merged = first.merge(second)
  merged
    .groupByKey()
    .count()
    .toStream()
    .to('output-count', L as never)
  merged.groupByKey().reduce(concat).toStream().to('output-reduce')
}
const twoGroups = (b: StreamsBuilder) =>
  [
    b.stream<string, string | null>('input').groupByKey(),
    b.stream<string, string | null>('input2').groupByKey(),
  ] as const
const windowLabel = (wk: Windowed<string>): string => `${wk.key}@${wk.window.start}/${wk.window.end}`
const firstLetter = (_k: string | null, v: string | null): string | null => (v === null ? null : v.substring(0, 1))
const concat = (a: string | null, c: string | null): string => `${String(a)},${String(c)}`

const windowKey = (wk: Windowed<string | null>): string => `${String(wk.key)}@${wk.window.start}/${wk.window.end}`
const TW = (size: number): TimeWindows => TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(size))
const TWG = (size: number, grace: number): TimeWindows =>
  TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace))

/** The stateful scenarios (Java Topologies.java numbers 28 and up). */
export const statefulTopologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  'count-by-key': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'count-by-key-cached': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'count-null-keys': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'count-named-store': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .count(Materialized.as('counts'))
        .toStream()
        .to('output', L as never),
    ),
  'reduce-concat': (c) => fromBuilder(c, (b) => input(b).groupByKey().reduce(concat).toStream().to('output')),
  'aggregate-sum-length': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .aggregate(
          () => 0,
          (_k, v, agg) => agg + (v as string).length,
          Materialized.with(Serdes.String(), Serdes.Long()),
        )
        .toStream()
        .to('output', L as never),
    ),
  'group-by-repartition': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupBy(firstLetter)
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'group-by-named': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupBy(firstLetter, Grouped.as('by-first'))
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'select-key-group-by-key': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .selectKey(firstLetter)
        .groupByKey()
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'two-aggregations': (c) =>
    fromBuilder(c, (b) => {
      const rekeyed = input(b).selectKey(firstLetter)
      rekeyed
        .groupByKey()
        .count()
        .toStream()
        .to('output-count', L as never)
      rekeyed.groupByKey().reduce(concat).toStream().to('output-reduce')
    }),
  'two-aggregations-optimized': (c) =>
    fromBuilder(c, (b) => {
      const rekeyed = input(b).selectKey(firstLetter)
      rekeyed
        .groupByKey()
        .count()
        .toStream()
        .to('output-count', L as never)
      rekeyed.groupByKey().reduce(concat).toStream().to('output-reduce')
    }),
  'merged-aggregations': (c) => fromBuilder(c, mergedAggregations),
  'merged-aggregations-optimized': (c) => fromBuilder(c, mergedAggregations),
  'select-key-group-by-key-optimized': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .selectKey(firstLetter)
        .groupByKey()
        .count()
        .toStream()
        .to('output', L as never),
    ),
  'table-source': (c) =>
    fromBuilder(c, (b) => b.table<string, string>('input', Materialized.as('tbl')).toStream().to('output')),
  'table-filter': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .filter((_k, v) => v.length > 3)
        .toStream()
        .to('output'),
    ),
  'table-map-values': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .mapValues((v: string) => v.toUpperCase())
        .toStream()
        .to('output'),
    ),
  'stream-to-table': (c) => fromBuilder(c, (b) => input(b).toTable().toStream().to('output')),
  'queryable-store': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input', Materialized.as('q-store'))
        .filter((_k, v) => v.length > 3, undefined, Materialized.as('filtered-store'))
        .toStream()
        .to('output'),
    ),
  'tumbling-count': (c) =>
    fromBuilder(c, (b) => input(b).groupByKey().windowedBy(TW(1000)).count().toStream(windowKey).to('output', L)),
  'windowed-cached': (c) =>
    fromBuilder(c, (b) => input(b).groupByKey().windowedBy(TW(1000)).count().toStream(windowKey).to('output', L)),
  'tumbling-count-grace': (c) =>
    fromBuilder(c, (b) => input(b).groupByKey().windowedBy(TWG(1000, 500)).count().toStream(windowKey).to('output', L)),
  'hopping-count': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .windowedBy(TWG(1000, 200).advanceBy(Duration.ofMillis(500)))
        .count()
        .toStream(windowKey)
        .to('output', L),
    ),
  'hopping-aggregate': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .windowedBy(TWG(1000, 200).advanceBy(Duration.ofMillis(500)))
        .aggregate(
          () => '',
          (_k, v, agg) => agg + String(v),
        )
        .toStream(windowKey)
        .to('output'),
    ),
  'tumbling-reduce': (c) =>
    fromBuilder(c, (b) => input(b).groupByKey().windowedBy(TW(1000)).reduce(concat).toStream(windowKey).to('output')),
  'emit-final': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .windowedBy(TWG(1000, 500))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count()
        .toStream(windowKey)
        .to('output', L),
    ),
  'table-group-by-count': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .groupBy((_k, v) => ({ key: v, value: v }))
        .count()
        .toStream()
        .to('output', L),
    ),
  'table-group-by-versioned': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input', Materialized.as(Stores.persistentVersionedKeyValueStore('iv', 10000)))
        .groupBy((_k, v) => ({ key: v, value: v }))
        .count()
        .toStream()
        .to('output', L),
    ),
  'table-cached': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .groupBy((_k, v) => ({ key: v, value: v }))
        .count()
        .toStream()
        .to('output', L),
    ),
  'table-group-by-reduce': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .groupBy((_k, v) => ({ key: v.substring(0, 1), value: v.length }), Grouped.with(Serdes.String(), Serdes.Long()))
        .reduce(
          (a, c) => a + c,
          (a, c) => a - c,
        )
        .toStream()
        .to('output', L),
    ),
  'table-group-by-aggregate': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .groupBy((_k, v) => ({ key: v.substring(0, 1), value: v }))
        .aggregate(
          () => '',
          (_k, v, agg) => `${agg}+${v}`,
          (_k, v, agg) => `${agg}-${v}`,
        )
        .toStream()
        .to('output'),
    ),
  'transform-values-table': (c) =>
    fromBuilder(c, (b) =>
      b
        .table<string, string>('input')
        .transformValues(() => ({ transform: (key: string, value: string | null) => `${key}=${String(value)}` }))
        .toStream()
        .to('output'),
    ),
  'suppress-window-close': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .windowedBy(TWG(1000, 500))
        .count(Materialized.with(Serdes.String(), Serdes.Long()) as never)
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream(windowKey)
        .to('output', L),
    ),
  'suppress-time-limit': (c) =>
    fromBuilder(c, (b) =>
      input(b)
        .groupByKey()
        .count()
        .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(1000), Suppressed.BufferConfig.unbounded()))
        .toStream()
        .to('output', L as never),
    ),
  cogroup: (c) =>
    fromBuilder(c, (b) => {
      const g1 = b.stream<string, string | null>('input').groupByKey()
      const g2 = b.stream<string, string | null>('input2').groupByKey()
      g1.cogroup<string>((_k, v, agg) => `${agg}|1:${String(v)}`)
        .cogroup(g2, (_k, v, agg) => `${agg}|2:${String(v)}`)
        .aggregate(() => '')
        .toStream()
        .to('output')
    }),
  'cogroup-time-windows': (c) =>
    fromBuilder(c, (b) => {
      const [g1, g2] = twoGroups(b)
      g1.cogroup<string>((_k, v, agg) => `${agg}|1:${String(v)}`)
        .cogroup(g2, (_k, v, agg) => `${agg}|2:${String(v)}`)
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
        .aggregate(() => '')
        .toStream(windowLabel)
        .to('output')
    }),
  'cogroup-sliding-windows': (c) =>
    fromBuilder(c, (b) => {
      const [g1, g2] = twoGroups(b)
      g1.cogroup<string>((_k, v, agg) => `${agg}|1:${String(v)}`)
        .cogroup(g2, (_k, v, agg) => `${agg}|2:${String(v)}`)
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(500)))
        .aggregate(() => '', Materialized.as('sliding-store'))
        .toStream(windowLabel)
        .to('output')
    }),
  'cogroup-session-windows': (c) =>
    fromBuilder(c, (b) => {
      const [g1, g2] = twoGroups(b)
      g1.cogroup<string>((_k, v, agg) => `${agg}|1:${String(v)}`)
        .cogroup(g2, (_k, v, agg) => `${agg}|2:${String(v)}`)
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(500)))
        .aggregate(
          () => '',
          (_k, a1, a2) => `${a1}+${a2}`,
          Named.as('sessions'),
        )
        .toStream(windowLabel)
        .to('output')
    }),
  'global-table-lookup': (c) =>
    fromBuilder(c, (b) => {
      b.globalTable<string, string>('input', Materialized.as('global-store'))
      b.stream<string | null, string | null>('input2')
        .process<string | null, string>(() => {
          let context: ProcessorContext<string | null, string>
          let store: TimestampedKeyValueStore<string | null, string>
          return {
            init(ctx) {
              context = ctx
              store = ctx.getStateStore('global-store')
            },
            process(record) {
              const stored = store.get(record.key)
              context.forward(record.withValue(`${String(record.value)}/${stored === null ? 'none' : stored.value}`))
            },
          }
        })
        .to('output')
    }),
}
