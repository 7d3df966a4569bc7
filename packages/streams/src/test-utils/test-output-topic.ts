import type { Header } from '../header/headers.ts'
import { Headers } from '../header/headers.ts'
import type { KeyValue } from '../kstream/key-value.ts'
import type { Deserializer } from '../serde/serde.ts'
import { TestRecord } from './test-record.ts'

/** A record captured from a sink, still serialized. */
export interface CapturedRecord {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly Header[]
  readonly timestamp: number
}

export interface OutputTopicSource {
  readOutput(topic: string): CapturedRecord | undefined
  queueSize(topic: string): number
}

/** Reads what a TopologyTestDriver's topology wrote to a topic (Kafka `TestOutputTopic`). */
export class TestOutputTopic<K, V> {
  readonly #topic: string
  readonly #driver: OutputTopicSource
  readonly #keyDeserializer: Deserializer<K>
  readonly #valueDeserializer: Deserializer<V>

  constructor(
    topic: string,
    driver: OutputTopicSource,
    keyDeserializer: Deserializer<K>,
    valueDeserializer: Deserializer<V>,
  ) {
    this.#topic = topic
    this.#driver = driver
    this.#keyDeserializer = keyDeserializer
    this.#valueDeserializer = valueDeserializer
  }

  readValue(): V | null {
    return this.readRecord().value
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const record = this.readRecord()
    return { key: record.key, value: record.value }
  }

  readRecord(): TestRecord<K, V> {
    const captured = this.#driver.readOutput(this.#topic)
    if (!captured) throw new Error(`Empty topic: ${this.#topic}`)
    const headers = new Headers(captured.headers)
    const key = this.#keyDeserializer.deserialize(this.#topic, captured.key, headers)
    const value = this.#valueDeserializer.deserialize(this.#topic, captured.value, headers)
    return new TestRecord(key, value, headers, captured.timestamp)
  }

  readValuesToList(): (V | null)[] {
    const values: (V | null)[] = []
    while (!this.isEmpty()) values.push(this.readValue())
    return values
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    const pairs: KeyValue<K | null, V | null>[] = []
    while (!this.isEmpty()) pairs.push(this.readKeyValue())
    return pairs
  }

  /** The last value per key (Java keeps a null value as a null entry, and so does this). */
  readKeyValuesToMap(): Map<K | null, V | null> {
    const map = new Map<K | null, V | null>()
    while (!this.isEmpty()) {
      const { key, value } = this.readKeyValue()
      if (key === null) throw new Error('Null keys cannot be put into a map: use readKeyValuesToList()')
      map.set(key, value)
    }
    return map
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const records: TestRecord<K, V>[] = []
    while (!this.isEmpty()) records.push(this.readRecord())
    return records
  }

  getQueueSize(): number {
    return this.#driver.queueSize(this.#topic)
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0
  }

  toString(): string {
    return `TestOutputTopic[topic='${this.#topic}', size=${this.getQueueSize()}]`
  }
}
