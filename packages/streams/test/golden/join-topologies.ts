// The TypeScript twins of the join scenarios in scripts/reference/.../Topologies.java.
import {
  Duration,
  JoinWindows,
  Joined,
  Serdes,
  StreamJoined,
  StreamsBuilder,
  Stores,
  type KStream,
  type KTable,
  Materialized,
  type StreamsConfigInput,
  type Topology,
} from '../../src/index.ts'

type S = string | null
const plus = (lv: S, rv: S): string => `${String(lv)}+${String(rv)}`
const ms = (n: number): Duration => Duration.ofMillis(n)
const streams = (b: StreamsBuilder): [KStream<S, S>, KStream<S, S>] => [b.stream<S, S>('left'), b.stream<S, S>('right')]
const build = (config: StreamsConfigInput, define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build(config)
}
const firstLetter = (_k: S, v: S): S => (v === null ? null : v.substring(0, 1))

export const joinTopologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  'ss-inner': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'ss-inner-grace': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(r, plus, JoinWindows.ofTimeDifferenceAndGrace(ms(100), ms(50))).to('output')
    }),
  'ss-before': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100)).before(ms(50))).to('output')
    }),
  'ss-after': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100)).after(ms(50))).to('output')
    }),
  'ss-left': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.leftJoin(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'ss-left-grace': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.leftJoin(r, plus, JoinWindows.ofTimeDifferenceAndGrace(ms(100), ms(50))).to('output')
    }),
  'ss-outer': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.outerJoin(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'ss-outer-grace': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.outerJoin(r, plus, JoinWindows.ofTimeDifferenceAndGrace(ms(100), ms(50))).to('output')
    }),
  'ss-self-join': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      l.join(l, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'ss-self-join-optimized': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      l.join(l, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'ss-named': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(
        r,
        plus,
        JoinWindows.ofTimeDifferenceWithNoGrace(ms(100)),
        StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String())
          .withName('my-join')
          .withStoreName('my-store') as never,
      ).to('output')
    }),
  'ss-rekeyed': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.selectKey(firstLetter)
        .join(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100)))
        .to('output')
    }),
  'ss-null-keys': (c) =>
    build(c, (b) => {
      const [l, r] = streams(b)
      l.join(r, plus, JoinWindows.ofTimeDifferenceWithNoGrace(ms(100))).to('output')
    }),
  'st-inner': (c) =>
    build(c, (b) => {
      b.stream<S, S>('left').join(b.table<S, S>('right'), plus).to('output')
    }),
  'st-left': (c) =>
    build(c, (b) => {
      b.stream<S, S>('left').leftJoin(b.table<S, S>('right'), plus).to('output')
    }),
  'st-rekeyed': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      const t = b.table<S, S>('right')
      l.selectKey(firstLetter).join(t, plus).to('output')
    }),
  'st-named': (c) =>
    build(c, (b) => {
      b.stream<S, S>('left')
        .join(
          b.table<S, S>('right'),
          plus,
          Joined.with(Serdes.String(), Serdes.String(), Serdes.String()).withName('j') as never,
        )
        .to('output')
    }),
  'st-versioned-grace': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      const t = b.table<S, S>('right', Materialized.as(Stores.persistentVersionedKeyValueStore('vt', ms(1000))))
      l.join(
        t,
        plus,
        Joined.with(Serdes.String(), Serdes.String(), Serdes.String()).withGracePeriod(ms(200)) as never,
      ).to('output')
    }),
  'sg-inner': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      l.join(b.globalTable<S, S>('right'), (_k: S, v: S) => (v as string).substring(0, 1), plus).to('output')
    }),
  'sg-left': (c) =>
    build(c, (b) => {
      const l = b.stream<S, S>('left')
      l.leftJoin(b.globalTable<S, S>('right'), (_k: S, v: S) => (v as string).substring(0, 1), plus).to('output')
    }),
  'seed-order-payment': (c) =>
    build(c, (b) => {
      const orders = b.stream<S, S>('orders')
      const payments = b.stream<S, S>('payments')
      orders
        .join(
          payments,
          (order: S, payment: S) => `{"order":${String(order)},"payment":${String(payment)}}`,
          JoinWindows.ofTimeDifferenceAndGrace(
            Duration.ofMinutes(10),
            Duration.ofHours(24).toMillis() - Duration.ofMinutes(20).toMillis(),
          ),
        )
        .to('output')
    }),
}

const tables = (b: StreamsBuilder): [KTable<string, string>, KTable<string, string>] => [
  b.table<string, string>('left'),
  b.table<string, string>('right'),
]

export const tableJoinTopologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  'tt-inner': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.join(rt, plus).toStream().to('output')
    }),
  'tt-cached': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.join(rt, plus).toStream().to('output')
    }),
  'tt-left': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.leftJoin(rt, plus).toStream().to('output')
    }),
  'tt-versioned': (c) =>
    build(c, (b) => {
      const lt = b.table<string, string>(
        'left',
        Materialized.as(Stores.persistentVersionedKeyValueStore('lv', ms(10000))),
      )
      const rt = b.table<string, string>('right')
      lt.leftJoin(rt, plus).toStream().to('output')
    }),
  'tt-outer': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.outerJoin(rt, plus).toStream().to('output')
    }),
  'tt-materialized': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.join(rt, plus, Materialized.as('joined')).toStream().to('output')
    }),
  'tt-filter-join': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.filter((_k, v) => v.length > 3)
        .join(rt, plus)
        .toStream()
        .to('output')
    }),
}
