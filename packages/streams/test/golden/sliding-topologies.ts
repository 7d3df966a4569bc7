// The TypeScript twins of the sliding-window scenarios in
// scripts/reference/src/main/java/dev/kstreams/reference/Topologies.java.
import {
  Duration,
  Produced,
  Serdes,
  SlidingWindows,
  StreamsBuilder,
  type Topology,
  type Windowed,
} from '../../src/index.ts'

const windowKey = (wk: Windowed<string | null>): string => `${String(wk.key)}@${wk.window.start}/${wk.window.end}`
const windows = (): SlidingWindows =>
  SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500))
const fromBuilder = (define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build()
}

/** The sliding-window golden scenarios, twins of the Java ones of the same names. */
export const slidingTopologies: { readonly [name: string]: () => Topology } = {
  'sliding-count': () =>
    fromBuilder((b) =>
      b
        .stream<string | null, string | null>('input')
        .groupByKey()
        .windowedBy(windows())
        .count()
        .toStream(windowKey)
        .to('output', Produced.with(Serdes.String(), Serdes.Long())),
    ),
  'sliding-aggregate': () =>
    fromBuilder((b) =>
      b
        .stream<string | null, string | null>('input')
        .groupByKey()
        .windowedBy(windows())
        .aggregate(
          () => '',
          (_k, v, agg) => agg + String(v),
        )
        .toStream(windowKey)
        .to('output'),
    ),
}
