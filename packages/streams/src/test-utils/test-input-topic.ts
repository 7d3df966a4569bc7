import { toMillis, type Duration } from '../kstream/duration.ts'
import type { KeyValue } from '../kstream/key-value.ts'
import type { Serializer } from '../serde/serde.ts'
import { TestRecord } from './test-record.ts'

export interface InputTopicSink {
  pipeRecord(
    topic: string,
    record: TestRecord<unknown, unknown>,
    keySerializer: Serializer<unknown>,
    valueSerializer: Serializer<unknown>,
    timestamp: number,
  ): void
}

/**
 * Pipes records into a topic of a TopologyTestDriver (Kafka `TestInputTopic`). Records without a
 * timestamp get the topic's current time, which then advances by `autoAdvance`.
 *
 *   pipeInput(value)   pipeInput(key, value)   pipeInput(key, value, timestampMs | Date)   pipeInput(testRecord)
 */
export class TestInputTopic<K, V> {
  readonly #topic: string
  readonly #driver: InputTopicSink
  readonly #keySerializer: Serializer<K>
  readonly #valueSerializer: Serializer<V>
  #currentTime: number
  readonly #advance: number

  constructor(
    topic: string,
    driver: InputTopicSink,
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
    startTimestamp: number,
    autoAdvance: number,
  ) {
    this.#topic = topic
    this.#driver = driver
    this.#keySerializer = keySerializer
    this.#valueSerializer = valueSerializer
    this.#currentTime = startTimestamp
    this.#advance = autoAdvance
  }

  advanceTime(advance: Duration | number): void {
    this.#currentTime += toMillis(advance, 'advance')
  }

  pipeInput(record: TestRecord<K, V>): void
  pipeInput(value: V | null): void
  pipeInput(key: K | null, value: V | null, timestamp?: number | Date): void
  pipeInput(...args: unknown[]): void {
    let record: TestRecord<K, V>
    if (args.length === 1 && args[0] instanceof TestRecord) record = args[0] as TestRecord<K, V>
    else if (args.length === 1) record = new TestRecord<K, V>(null, args[0] as V)
    else record = new TestRecord<K, V>(args[0] as K, args[1] as V, null, args[2] as number | Date | undefined)
    this.#pipe(record)
  }

  /** Values with null keys, in order. */
  pipeValueList(values: readonly V[], startTimestamp?: number | Date, advance?: Duration | number): void {
    this.pipeKeyValueList(
      values.map((value) => ({ key: null as K, value })),
      startTimestamp,
      advance,
    )
  }

  /** Key-value pairs in order; with a start time each record is stamped start + i * advance. */
  pipeKeyValueList(
    pairs: readonly KeyValue<K, V>[],
    startTimestamp?: number | Date,
    advance?: Duration | number,
  ): void {
    let time = startTimestamp instanceof Date ? startTimestamp.getTime() : startTimestamp
    const step = advance === undefined ? 0 : toMillis(advance, 'advance')
    for (const { key, value } of pairs) {
      this.#pipe(new TestRecord(key, value, null, time))
      if (time !== undefined) time += step
    }
  }

  pipeRecordList(records: readonly TestRecord<K, V>[]): void {
    for (const record of records) this.#pipe(record)
  }

  #pipe(record: TestRecord<K, V>): void {
    let timestamp = record.timestamp
    if (timestamp === undefined) {
      timestamp = this.#currentTime
      this.#currentTime += this.#advance
    }
    this.#driver.pipeRecord(this.#topic, record, this.#keySerializer, this.#valueSerializer, timestamp)
  }

  toString(): string {
    return `TestInputTopic[topic='${this.#topic}', keySerializer=${this.#keySerializer.constructor.name}, valueSerializer=${this.#valueSerializer.constructor.name}]`
  }
}
