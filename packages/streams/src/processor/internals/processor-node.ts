import { HandlerResponse, type ProcessingExceptionHandler } from '../../errors/exception-handlers.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import { setIfUnset, type Deserializer, type Serializer } from '../../serde/serde.ts'
import type { Processor } from '../api/processor.ts'
import { rawHeaders, type Record } from '../api/record.ts'
import { Headers } from '../../header/headers.ts'
import type { StreamPartitioner } from '../stream-partitioner.ts'
import type { TimestampExtractor } from '../timestamp-extractor.ts'
import type { TopicNameExtractor } from '../topic-name-extractor.ts'
import type { ProcessorContextImpl } from './processor-context-impl.ts'

/** An error already handled by a node's exception handler: parents rethrow it untouched. */
export class FailedProcessingException extends StreamsException {
  readonly processorName: string
  constructor(message: string, processorName: string, cause: unknown) {
    super(message, { cause })
    this.processorName = processorName
  }
}

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
  #handler!: ProcessingExceptionHandler

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
    this.#handler = context.config.processingExceptionHandler
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
      const context = this.context
      const response = this.#handler(context.errorHandlerContext(this.name), record, error)
      if (response === HandlerResponse.FAIL) {
        const meta = context.recordContext
        throw new FailedProcessingException(
          `Exception caught in process. taskId=${context.taskId.toString()}, processor=${this.name}, ` +
            `topic=${meta.topic ?? 'null'}, partition=${meta.partition}, offset=${meta.offset}: ` +
            (error instanceof Error ? error.message : String(error)),
          this.name,
          error,
        )
      }
      context.droppedRecords++
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

/** Kafka `SinkNode`: serializes and hands the record to the task's record collector. */
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
      valueBytes = (this.#valueSerializer as Serializer<unknown>).serialize(topic, value, headers)
    } catch (error) {
      throw new StreamsException(
        `Error serializing the key or value of a record for topic ${topic} in sink ${this.name} ` +
          `(check the serdes given to to()/Produced or the default serdes): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
    const partitions = this.#partitioner
      ? context.collector.partitionsFor(topic, (n) => this.#partitioner?.(topic, key, value, n))
      : undefined
    context.collector.send(topic, keyBytes, valueBytes, headers, timestamp, partitions)
  }
}
