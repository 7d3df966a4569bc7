import {
  Duration,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  type KStream,
  type Topology,
  type Windowed,
} from '../../src/index.ts'

const input = (b: StreamsBuilder): KStream<string | null, string | null> =>
  b.stream<string | null, string | null>('input')
const fromBuilder = (define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build()
}
const L = Produced.with(Serdes.String(), Serdes.Long())
const windowKey = (wk: Windowed<string | null>): string => `${String(wk.key)}@${wk.window.start}/${wk.window.end}`

/** Java's `sessionCount`: session windows with a 1000 ms gap and no grace, counted. */
const sessionCount = (): Topology =>
  fromBuilder((b) =>
    input(b)
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(1000)))
      .count()
      .toStream(windowKey)
      .to('output', L),
  )

/** The session-window golden scenarios, twins of the Java ones of the same names. */
export const sessionTopologies: { readonly [name: string]: () => Topology } = {
  'session-count': sessionCount,
  // the same topology; the scenario keeps the default cache
  'session-count-cached': sessionCount,
  'session-aggregate': () =>
    fromBuilder((b) =>
      input(b)
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
        .aggregate(
          () => '',
          (_k, v, agg) => agg + String(v),
          (_k, a, c) => a + c,
        )
        .toStream(windowKey)
        .to('output'),
    ),
  'session-reduce': () =>
    fromBuilder((b) =>
      input(b)
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(1000)))
        .reduce((a, c) => `${String(a)},${String(c)}`)
        .toStream(windowKey)
        .to('output'),
    ),
}
