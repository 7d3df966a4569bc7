// The application the chaos harness runs, and the naming of its records, shared by the application
// process (chaos-app.ts), the producer and the verifier.
//
// Input: record n has key `k<n % 50>` and value `n` (a decimal string), timestamp `t0 + n` ms, on
// `chaos-input`; its partner has the same key, value and timestamp on `chaos-partner`. Three outputs:
//   - chaos-echo:      every input record, value unchanged (mapValues), so each n must appear once;
//   - chaos-aggregate: { count, sum } per key, through a repartition topic (groupBy), the last value per
//                      key must equal the count and sum of the key's input records;
//   - chaos-joined:    the inner stream-stream join of input and partner within 10 ms, value `n:n`; records
//                      of one key are 50 ms apart, so n joins its partner and nothing else.
import {
  Consumed,
  Duration,
  Grouped,
  JoinWindows,
  Materialized,
  Produced,
  Serdes,
  StreamJoined,
  StreamsBuilder,
  type Topology,
} from '../../src/index.ts'

export const chaosTopics = {
  input: 'chaos-input',
  partner: 'chaos-partner',
  echo: 'chaos-echo',
  aggregate: 'chaos-aggregate',
  joined: 'chaos-joined',
} as const

export const chaosKeys = 50
export const chaosPartitions = 6

export function chaosKey(n: number): string {
  return `k${n % chaosKeys}`
}

export interface ChaosAggregate {
  readonly count: number
  readonly sum: number
}

/** The repartition topic of the aggregation is `<applicationId>-chaos-regroup-repartition`. */
export const chaosRepartitionName = 'chaos-regroup'
/** The aggregation's store; its changelog is `<applicationId>-chaos-aggregate-store-changelog`. */
export const chaosAggregateStore = 'chaos-aggregate-store'

export function chaosTopology(): Topology {
  const builder = new StreamsBuilder()
  const strings = Consumed.with(Serdes.String(), Serdes.String())
  const input = builder.stream(chaosTopics.input, strings)
  const partner = builder.stream(chaosTopics.partner, strings)

  input.mapValues((value) => value).to(chaosTopics.echo, Produced.with(Serdes.String(), Serdes.String()))

  // groupBy (not groupByKey) so that the aggregation reads a repartition topic the application writes itself
  input
    .groupBy((key) => key, Grouped.with(chaosRepartitionName, Serdes.String(), Serdes.String()))
    .aggregate<ChaosAggregate>(
      () => ({ count: 0, sum: 0 }),
      (_key, value, aggregate) => ({ count: aggregate.count + 1, sum: aggregate.sum + Number(value) }),
      Materialized.as<string, ChaosAggregate>(chaosAggregateStore)
        .withKeySerde(Serdes.String())
        .withValueSerde(Serdes.JSON<ChaosAggregate>()),
    )
    .toStream()
    .to(chaosTopics.aggregate, Produced.with(Serdes.String(), Serdes.JSON<ChaosAggregate>()))

  // a grace far beyond any fault, so a partner delayed by a dead leader is still joined
  input
    .join(
      partner,
      (left: string, right: string) => `${left}:${right}`,
      JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMinutes(10)),
      StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String()),
    )
    .to(chaosTopics.joined, Produced.with(Serdes.String(), Serdes.String()))
  return builder.build()
}
