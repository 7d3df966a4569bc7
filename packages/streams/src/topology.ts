import { TopologyException } from './errors/topology-exception.ts'
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from './processor/api/processor.ts'
import { InternalTopologyBuilder, type OffsetReset } from './processor/internals/internal-topology-builder.ts'
import type { StoreBuilder } from './processor/state-store.ts'
import type { StreamPartitioner } from './processor/stream-partitioner.ts'
import { toTimestampExtractor, type TimestampExtractorLike } from './processor/timestamp-extractor.ts'
import type { TopicNameExtractor } from './processor/topic-name-extractor.ts'
import type { TopologyDescription } from './processor/topology-description.ts'
import type { Deserializer, Serializer } from './serde/serde.ts'

/** Options of `addSource` beyond the name and topics. */
export interface SourceOptions {
  keyDeserializer?: Deserializer<unknown>
  valueDeserializer?: Deserializer<unknown>
  timestampExtractor?: TimestampExtractorLike
  offsetReset?: OffsetReset
}

/** Options of `addSink` beyond the name, topic and parents. */
export interface SinkOptions {
  keySerializer?: Serializer<unknown>
  valueSerializer?: Serializer<unknown>
  partitioner?: StreamPartitioner<unknown, unknown>
}

const isDeserializer = (x: unknown): x is Deserializer<unknown> =>
  typeof x === 'object' && x !== null && 'deserialize' in x
const isSerializer = (x: unknown): x is Serializer<unknown> => typeof x === 'object' && x !== null && 'serialize' in x

/**
 * A processing topology (Kafka `Topology`): built by `StreamsBuilder.build()`, or by hand with the
 * Processor API methods below, which accept Java's argument orders:
 * `addSource(name, ...topics)`, `addSource(name, keyDeserializer, valueDeserializer, ...topics)`,
 * `addSource(name, pattern)`, `addSink(name, topic, ...parents)`,
 * `addSink(name, topic, keySerializer, valueSerializer, ...parents)`, `addProcessor(name, supplier, ...parents)`.
 */
export class Topology {
  readonly internalTopologyBuilder: InternalTopologyBuilder

  constructor(internal?: InternalTopologyBuilder) {
    this.internalTopologyBuilder = internal ?? new InternalTopologyBuilder()
  }

  static fromBuilder(internal: InternalTopologyBuilder): Topology {
    return new Topology(internal)
  }

  addSource(name: string, ...args: (string | RegExp | Deserializer<unknown> | SourceOptions)[]): this {
    let keyDeserializer: Deserializer<unknown> | undefined
    let valueDeserializer: Deserializer<unknown> | undefined
    let options: SourceOptions = {}
    const topics: string[] = []
    let pattern: RegExp | undefined
    for (const arg of args) {
      if (typeof arg === 'string') topics.push(arg)
      else if (arg instanceof RegExp) pattern = arg
      else if (isDeserializer(arg)) {
        if (!keyDeserializer) keyDeserializer = arg
        else valueDeserializer = arg
      } else options = arg
    }
    if (pattern && topics.length > 0) throw new TopologyException(`source ${name}: give topics or a pattern, not both`)
    this.internalTopologyBuilder.addSource(name, pattern ?? topics, {
      keyDeserializer: options.keyDeserializer ?? keyDeserializer,
      valueDeserializer: options.valueDeserializer ?? valueDeserializer,
      timestampExtractor: options.timestampExtractor ? toTimestampExtractor(options.timestampExtractor) : undefined,
      offsetReset: options.offsetReset,
    })
    return this
  }

  addSink<K, V>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    ...args: (string | Serializer<unknown> | SinkOptions | StreamPartitioner<K, V>)[]
  ): this {
    const parents: string[] = []
    const serializers: Serializer<unknown>[] = []
    let options: SinkOptions = {}
    let partitioner: StreamPartitioner<K, V> | undefined
    for (const arg of args) {
      if (typeof arg === 'string') parents.push(arg)
      else if (typeof arg === 'function') partitioner = arg
      else if (isSerializer(arg)) serializers.push(arg)
      else options = arg
    }
    this.internalTopologyBuilder.addSink(
      name,
      topic as string | TopicNameExtractor<unknown, unknown>,
      {
        keySerializer: options.keySerializer ?? serializers[0],
        valueSerializer: options.valueSerializer ?? serializers[1],
        partitioner: options.partitioner ?? (partitioner as StreamPartitioner<unknown, unknown> | undefined),
      },
      parents,
    )
    return this
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.internalTopologyBuilder.addProcessor(name, supplier, parentNames)
    return this
  }

  addFixedKeyProcessor<KIn, VIn, VOut>(
    name: string,
    supplier: FixedKeyProcessorSupplier<KIn, VIn, VOut>,
    ...parentNames: string[]
  ): this {
    this.internalTopologyBuilder.addProcessor(name, supplier, parentNames, true)
    return this
  }

  addStateStore(storeBuilder: StoreBuilder, ...processorNames: string[]): this {
    this.internalTopologyBuilder.addStateStore(storeBuilder, processorNames)
    return this
  }

  connectProcessorAndStateStores(processorName: string, ...stateStoreNames: string[]): this {
    this.internalTopologyBuilder.connectProcessorAndStateStores(processorName, stateStoreNames)
    return this
  }

  describe(): TopologyDescription {
    return this.internalTopologyBuilder.describe()
  }
}
