import { FailedProcessingException } from '../../errors/internals/failed-processing-exception.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import { setIfUnset, type Deserializer, type Serializer } from '../../serde/serde.ts'
import type { Processor } from '../api/processor.ts'
import { rawHeaders, type Record } from '../api/record.ts'
import { Headers } from '../../header/headers.ts'
import type { StreamPartitioner } from '../stream-partitioner.ts'
import type { TimestampExtractor } from '../timestamp-extractor.ts'
import type { TopicNameExtractor } from '../topic-name-extractor.ts'
import { handleProcessingError, handleSerializationError } from './exception-handling.ts'
import type { ProcessorContextImpl } from './processor-context-impl.ts'

/**
 * A node of a task's processor graph (Kafka `ProcessorNode`): wraps the user's processor, runs the
 * processing exception handler around it, and keeps its children for `forward`.
 */
export class ProcessorNode {
  readonly name: string
  readonly children: ProcessorNode[] = []
  readonly childByName = new Map<string, ProcessorNode>()
  readonly stateStoreNames: ReadonlySet<string>
  readonly #processor: Processor<unknown, unknown, unknown, unknown> | undefined
  protected context!: ProcessorContextImpl

  constructor(
    name: string,
    processor?: Processor<unknown, unknown, unknown, unknown>,
    stateStoreNames: ReadonlySet<string> = new Set(),
  ) {
    this.name = name
    this.#processor = processor
    this.stateStoreNames = stateStoreNames
  }

  addChild(child: ProcessorNode): void {
    this.children.push(child)
    this.childByName.set(child.name, child)
  }

  init(context: ProcessorContextImpl): void {
    this.context = context
    this.#processor?.init?.(context)
  }

  close(): void {
    this.#processor?.close?.()
  }

  process(record: Record<unknown, unknown>): void {
    try {
      this.doProcess(record)
    } catch (error) {
      if (error instanceof FailedProcessingException) throw error
      handleProcessingError(this.context, this.name, record, error)
    }
  }

  protected doProcess(record: Record<unknown, unknown>): void {
    this.#processor?.process(record)
  }
}

/** Kafka `SourceNode`: deserializes with the source's (or the default) deserializers and forwards. */
export class SourceNode extends ProcessorNode {
  readonly timestampExtractor: TimestampExtractor | undefined
  keyDeserializer: Deserializer<unknown> | undefined
  valueDeserializer: Deserializer<unknown> | undefined

  constructor(
    name: string,
    timestampExtractor: TimestampExtractor | undefined,
    keyDeserializer: Deserializer<unknown> | undefined,
    valueDeserializer: Deserializer<unknown> | undefined,
  ) {
    super(name)
    this.timestampExtractor = timestampExtractor
    this.keyDeserializer = keyDeserializer
    this.valueDeserializer = valueDeserializer
  }

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    this.keyDeserializer ??= context.requireKeySerde(`source node ${this.name}`).deserializer()
    this.valueDeserializer ??= context.requireValueSerde(`source node ${this.name}`).deserializer()
    setIfUnset(this.keyDeserializer, context.config.defaultKeySerde, context.config.defaultValueSerde)
    setIfUnset(this.valueDeserializer, context.config.defaultKeySerde, context.config.defaultValueSerde)
  }

  protected override doProcess(record: Record<unknown, unknown>): void {
    this.context.forward(record)
  }
}

const emptyHeaders = new Headers()

/**
 * Kafka `SinkNode`: serializes and hands the record to the task's record collector. A key or value that fails
 * to serialize goes to the production exception handler (KIP-399), as in Kafka's `RecordCollectorImpl`.
 */
export class SinkNode extends ProcessorNode {
  readonly #topic: string | undefined
  readonly #extractor: TopicNameExtractor<unknown, unknown> | undefined
  #keySerializer: Serializer<unknown> | undefined
  #valueSerializer: Serializer<unknown> | undefined
  readonly #partitioner: StreamPartitioner<unknown, unknown> | undefined

  constructor(
    name: string,
    topic: string | undefined,
    extractor: TopicNameExtractor<unknown, unknown> | undefined,
    keySerializer: Serializer<unknown> | undefined,
    valueSerializer: Serializer<unknown> | undefined,
    partitioner: StreamPartitioner<unknown, unknown> | undefined,
  ) {
    super(name)
    this.#topic = topic
    this.#extractor = extractor
    this.#keySerializer = keySerializer
    this.#valueSerializer = valueSerializer
    this.#partitioner = partitioner
  }

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    this.#keySerializer ??= context.requireKeySerde(`sink node ${this.name}`).serializer()
    this.#valueSerializer ??= context.requireValueSerde(`sink node ${this.name}`).serializer()
    setIfUnset(this.#keySerializer, context.config.defaultKeySerde, context.config.defaultValueSerde)
    setIfUnset(this.#valueSerializer, context.config.defaultKeySerde, context.config.defaultValueSerde)
  }

  protected override doProcess(record: Record<unknown, unknown>): void {
    const context = this.context
    const { key, value, timestamp } = record
    const headers = record[rawHeaders]() ?? emptyHeaders
    if (timestamp < 0) {
      throw new StreamsException(
        `Invalid (negative) timestamp of ${timestamp} for output record <${String(key)}:${String(value)}>.`,
      )
    }
    const topic = this.#topic ?? this.#extractor?.(key, value, { ...context.recordContext, headers }) ?? ''
    if (!topic) throw new StreamsException(`the topic name extractor of sink ${this.name} returned no topic`)
    let keyBytes: Buffer | null
    let valueBytes: Buffer | null
    try {
      keyBytes = (this.#keySerializer as Serializer<unknown>).serialize(topic, key, headers)
    } catch (error) {
      handleSerializationError(context, this.name, topic, key, value, headers, timestamp, 'KEY', error)
      return
    }
    try {
      valueBytes = (this.#valueSerializer as Serializer<unknown>).serialize(topic, value, headers)
    } catch (error) {
      handleSerializationError(context, this.name, topic, key, value, headers, timestamp, 'VALUE', error)
      return
    }
    const partitions = this.#partitioner
      ? context.collector.partitionsFor(topic, (n) => this.#partitioner?.(topic, key, value, n))
      : undefined
    context.collector.send(topic, keyBytes, valueBytes, headers, timestamp, partitions)
  }
}
