import type { RawRecord } from '../../errors/exception-handlers.ts'
import type { TimestampExtractor } from '../timestamp-extractor.ts'
import { handleDeserializationError } from './exception-handling.ts'
import type { ProcessorContextImpl } from './processor-context-impl.ts'
import type { SourceNode } from './processor-node.ts'

/** A consumed record, deserialized and stamped with its extracted timestamp. */
export interface StampedRecord {
  readonly raw: RawRecord
  readonly key: unknown
  readonly value: unknown
  readonly timestamp: number
}

/**
 * Kafka `RecordQueue`: the buffered records of one partition. Only the head is deserialized and
 * stamped; records that fail to deserialize go through the deserialization handler, records with a
 * negative extracted timestamp are dropped.
 */
export class RecordQueue {
  readonly topic: string
  readonly partition: number
  readonly source: SourceNode
  readonly #extractor: TimestampExtractor
  readonly #context: ProcessorContextImpl
  #raw: RawRecord[] = []
  #next = 0
  #head: StampedRecord | undefined
  /** Highest timestamp polled so far, -1 before the first. */
  partitionTime = -1
  /** Offset of the last record taken for processing, -1 before the first. */
  lastProcessedOffset = -1

  constructor(
    topic: string,
    partition: number,
    source: SourceNode,
    extractor: TimestampExtractor,
    context: ProcessorContextImpl,
  ) {
    this.topic = topic
    this.partition = partition
    this.source = source
    this.#extractor = extractor
    this.#context = context
  }

  add(records: readonly RawRecord[]): void {
    if (this.#next > 1024 && this.#next * 2 > this.#raw.length) {
      this.#raw = this.#raw.slice(this.#next)
      this.#next = 0
    }
    for (const record of records) this.#raw.push(record)
    this.#updateHead()
  }

  get size(): number {
    return this.#raw.length - this.#next + (this.#head ? 1 : 0)
  }

  /** Drops the buffered records (they are fetched again from the committed offset). */
  clear(): void {
    this.#raw = []
    this.#next = 0
    this.#head = undefined
  }

  isEmpty(): boolean {
    return this.#head === undefined
  }

  headTimestamp(): number {
    return this.#head ? this.#head.timestamp : -1
  }

  poll(): StampedRecord | undefined {
    const head = this.#head
    if (!head) return undefined
    this.#head = undefined
    if (head.timestamp > this.partitionTime) this.partitionTime = head.timestamp
    this.#updateHead()
    return head
  }

  #updateHead(): void {
    while (this.#head === undefined && this.#next < this.#raw.length) {
      const raw = this.#raw[this.#next++] as RawRecord
      const context = this.#context
      let key: unknown
      let value: unknown
      try {
        key = this.source.keyDeserializer?.deserialize(raw.topic, raw.key, raw.headers) ?? null
        value = this.source.valueDeserializer?.deserialize(raw.topic, raw.value, raw.headers) ?? null
      } catch (error) {
        // skipped (and counted) or thrown, as the handler decides
        handleDeserializationError(context, this.source.name, raw, error)
        continue
      }
      const timestamp = this.#extractor.extract(
        { topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: raw.timestamp, key, value },
        this.partitionTime,
      )
      if (timestamp < 0) {
        context.droppedRecords++
        continue
      }
      this.#head = { raw, key, value, timestamp }
    }
  }
}
