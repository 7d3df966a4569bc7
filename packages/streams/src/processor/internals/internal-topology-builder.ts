import { TopologyException } from '../../errors/topology-exception.ts'
import type { Deserializer, Serializer } from '../../serde/serde.ts'
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../api/processor.ts'
import type { StoreBuilder } from '../state-store.ts'
import type { StreamPartitioner } from '../stream-partitioner.ts'
import type { TimestampExtractor } from '../timestamp-extractor.ts'
import type { TopicNameExtractor } from '../topic-name-extractor.ts'
import { TopologyDescription, type DescribedNode } from '../topology-description.ts'
import { capacityAfterAdds, javaHashOrder } from './java-order.ts'

/*
 * Kafka `InternalTopologyBuilder`: the topology as node factories, grouped into sub-topologies by
 * connectivity (through parents and shared stores). Node factories keep insertion order, which fixes the
 * sub-topology numbering exactly as Kafka numbers them; the runtime builds fresh nodes from the factories
 * for every task.
 */

export type OffsetReset = 'earliest' | 'latest' | 'none'

export interface SourceNodeFactory {
  readonly kind: 'source'
  readonly name: string
  readonly predecessors: readonly string[]
  readonly topics: readonly string[]
  readonly pattern: RegExp | undefined
  readonly timestampExtractor: TimestampExtractor | undefined
  readonly keyDeserializer: Deserializer<unknown> | undefined
  readonly valueDeserializer: Deserializer<unknown> | undefined
  readonly offsetReset: OffsetReset | undefined
}

export interface ProcessorNodeFactory {
  readonly kind: 'processor'
  readonly name: string
  readonly predecessors: readonly string[]
  readonly supplier:
    ProcessorSupplier<unknown, unknown, unknown, unknown> | FixedKeyProcessorSupplier<unknown, unknown, unknown>
  readonly fixedKey: boolean
  readonly stateStoreNames: Set<string>
}

export interface SinkNodeFactory {
  readonly kind: 'sink'
  readonly name: string
  readonly predecessors: readonly string[]
  readonly topic: string | undefined
  readonly topicExtractor: TopicNameExtractor<unknown, unknown> | undefined
  readonly keySerializer: Serializer<unknown> | undefined
  readonly valueSerializer: Serializer<unknown> | undefined
  readonly partitioner: StreamPartitioner<unknown, unknown> | undefined
}

export type NodeFactory = SourceNodeFactory | ProcessorNodeFactory | SinkNodeFactory

export interface InternalTopicProperties {
  readonly numberOfPartitions?: number
}

/** Union-find over node names (Kafka `QuickUnion`). */
class QuickUnion {
  readonly #parent = new Map<string, string>()

  add(id: string): void {
    this.#parent.set(id, id)
  }

  root(id: string): string {
    let current = id
    for (;;) {
      const parent = this.#parent.get(current)
      if (parent === undefined) throw new Error(`unknown node ${id}`)
      if (parent === current) return current
      const grand = this.#parent.get(parent) ?? parent
      this.#parent.set(current, grand)
      current = grand
    }
  }

  unite(id: string, others: readonly string[]): void {
    for (const other of others) {
      const a = this.root(id)
      const b = this.root(other)
      if (a !== b) this.#parent.set(a, b)
    }
  }
}

export interface StoreEntry {
  readonly builder: StoreBuilder
  readonly users: string[]
}

export class InternalTopologyBuilder {
  readonly nodeFactories = new Map<string, NodeFactory>()
  readonly stores = new Map<string, StoreEntry>()
  readonly internalTopics = new Map<string, InternalTopicProperties>()
  readonly #grouper = new QuickUnion()
  readonly #rawSourceTopics = new Set<string>()
  readonly #sourcePatterns: { node: string; pattern: RegExp }[] = []
  applicationId: string | undefined

  addSource(
    name: string,
    topicsOrPattern: readonly string[] | RegExp,
    options: {
      timestampExtractor?: TimestampExtractor | undefined
      keyDeserializer?: Deserializer<unknown> | undefined
      valueDeserializer?: Deserializer<unknown> | undefined
      offsetReset?: OffsetReset | undefined
    } = {},
  ): void {
    this.#checkNewName(name)
    let topics: readonly string[] = []
    let pattern: RegExp | undefined
    if (topicsOrPattern instanceof RegExp) {
      pattern = topicsOrPattern
      for (const topic of this.#rawSourceTopics) {
        if (fullMatch(pattern, topic)) {
          throw new TopologyException(
            `Pattern ${pattern.source} will match a topic that has already been registered by another source.`,
          )
        }
      }
      this.#sourcePatterns.push({ node: name, pattern })
    } else {
      if (topicsOrPattern.length === 0) throw new TopologyException('You must provide at least one topic')
      for (const topic of topicsOrPattern) {
        if (this.#rawSourceTopics.has(topic)) {
          throw new TopologyException(
            `Topic ${topic} has already been registered by another source. Subscribe to a topic once and reuse the stream (or merge streams).`,
          )
        }
        for (const { pattern: registered } of this.#sourcePatterns) {
          if (fullMatch(registered, topic))
            throw new TopologyException(`Topic ${topic} matches a Pattern already registered by another source.`)
        }
        this.#rawSourceTopics.add(topic)
      }
      topics = [...topicsOrPattern]
    }
    this.nodeFactories.set(name, {
      kind: 'source',
      name,
      predecessors: [],
      topics,
      pattern,
      timestampExtractor: options.timestampExtractor,
      keyDeserializer: options.keyDeserializer,
      valueDeserializer: options.valueDeserializer,
      offsetReset: options.offsetReset,
    })
    this.#grouper.add(name)
  }

  addSink(
    name: string,
    topic: string | TopicNameExtractor<unknown, unknown>,
    options: {
      keySerializer?: Serializer<unknown> | undefined
      valueSerializer?: Serializer<unknown> | undefined
      partitioner?: StreamPartitioner<unknown, unknown> | undefined
    },
    predecessors: readonly string[],
  ): void {
    this.#checkNewName(name)
    if (predecessors.length === 0) throw new TopologyException(`Sink ${name} must have at least one parent`)
    for (const predecessor of predecessors) {
      if (predecessor === name) throw new TopologyException(`Processor ${name} cannot be a predecessor of itself.`)
      const parent = this.nodeFactories.get(predecessor)
      if (!parent) throw new TopologyException(`Predecessor processor ${predecessor} is not added yet.`)
      if (parent.kind === 'sink') throw new TopologyException(`Sink ${predecessor} cannot be used a parent.`)
    }
    this.nodeFactories.set(name, {
      kind: 'sink',
      name,
      predecessors: [...predecessors],
      topic: typeof topic === 'string' ? topic : undefined,
      topicExtractor: typeof topic === 'string' ? undefined : topic,
      keySerializer: options.keySerializer,
      valueSerializer: options.valueSerializer,
      partitioner: options.partitioner,
    })
    this.#grouper.add(name)
    this.#grouper.unite(name, predecessors)
  }

  addProcessor(
    name: string,
    supplier:
      ProcessorSupplier<unknown, unknown, unknown, unknown> | FixedKeyProcessorSupplier<unknown, unknown, unknown>,
    predecessors: readonly string[],
    fixedKey = false,
  ): void {
    this.#checkNewName(name)
    if (predecessors.length === 0) throw new TopologyException(`Processor ${name} must have at least one parent`)
    for (const predecessor of predecessors) {
      if (predecessor === name) throw new TopologyException(`Processor ${name} cannot be a predecessor of itself.`)
      const parent = this.nodeFactories.get(predecessor)
      if (!parent) throw new TopologyException(`Predecessor processor ${predecessor} is not added yet for ${name}`)
      if (parent.kind === 'sink') throw new TopologyException(`Sink ${predecessor} cannot be used a parent.`)
    }
    this.nodeFactories.set(name, {
      kind: 'processor',
      name,
      predecessors: [...predecessors],
      supplier,
      fixedKey,
      stateStoreNames: new Set(),
    })
    this.#grouper.add(name)
    this.#grouper.unite(name, predecessors)
    const stores = typeof supplier === 'function' ? undefined : supplier.stores?.()
    for (const store of stores ?? []) {
      this.addStateStore(store as StoreBuilder, [name])
    }
  }

  addStateStore(builder: StoreBuilder, processorNames: readonly string[] = [], allowOverride = false): void {
    const existing = this.stores.get(builder.name)
    if (existing && existing.builder !== builder && !allowOverride) {
      throw new TopologyException(`A different StateStore has already been added with the name ${builder.name}`)
    }
    if (!existing) this.stores.set(builder.name, { builder, users: [] })
    for (const processorName of processorNames) this.connectProcessorAndStateStore(processorName, builder.name)
  }

  connectProcessorAndStateStores(processorName: string, storeNames: readonly string[]): void {
    if (storeNames.length === 0) throw new TopologyException('Must provide at least one state store name.')
    for (const storeName of storeNames) this.connectProcessorAndStateStore(processorName, storeName)
  }

  connectProcessorAndStateStore(processorName: string, storeName: string): void {
    const store = this.stores.get(storeName)
    if (!store)
      throw new TopologyException(`StateStore ${storeName} is not added yet. Add it with addStateStore() first.`)
    const node = this.nodeFactories.get(processorName)
    if (!node) throw new TopologyException(`Processor ${processorName} is not added yet.`)
    if (node.kind !== 'processor') {
      throw new TopologyException(`cannot connect a state store ${storeName} to a source node or a sink node.`)
    }
    const firstUser = store.users[0]
    if (firstUser !== undefined) this.#grouper.unite(firstUser, [processorName])
    if (!store.users.includes(processorName)) store.users.push(processorName)
    node.stateStoreNames.add(storeName)
  }

  /** Stores restored from their source topic instead of a changelog (`reuse.ktable.source.topics`). */
  readonly sourceChangelogTopics = new Map<string, string>()

  connectSourceStoreAndTopic(storeName: string, topic: string): void {
    if (this.sourceChangelogTopics.has(storeName))
      throw new TopologyException(`Source store ${storeName} is already added.`)
    this.sourceChangelogTopics.set(storeName, topic)
  }

  /** Global stores by name: filled from a topic on every instance, readable by every processor. */
  readonly globalStores = new Map<string, StoreEntry>()
  readonly #globalSources = new Set<string>()
  readonly #globalTopics = new Set<string>()

  /**
   * Kafka `addGlobalStore`: a source and a processor that keeps a store holding the whole topic. The
   * store must not log: its topic is its changelog.
   */
  addGlobalStore(
    builder: StoreBuilder,
    sourceName: string,
    topic: string,
    processorName: string,
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    options: {
      timestampExtractor?: TimestampExtractor | undefined
      keyDeserializer?: Deserializer<unknown> | undefined
      valueDeserializer?: Deserializer<unknown> | undefined
    } = {},
  ): void {
    if (this.stores.has(builder.name))
      throw new TopologyException(`A different StateStore has already been added with the name ${builder.name}`)
    if (this.globalStores.has(builder.name))
      throw new TopologyException(`A different GlobalStateStore has already been added with the name ${builder.name}`)
    if (builder.loggingEnabled())
      throw new TopologyException(`StateStore ${builder.name} for global table must not have logging enabled.`)
    if (sourceName === processorName) throw new TopologyException('sourceName and processorName must be different.')
    this.#checkNewName(processorName)
    this.addSource(sourceName, [topic], options)
    this.#globalSources.add(sourceName)
    this.#globalTopics.add(topic)
    this.nodeFactories.set(processorName, {
      kind: 'processor',
      name: processorName,
      predecessors: [sourceName],
      supplier,
      fixedKey: false,
      stateStoreNames: new Set([builder.name]),
    })
    this.#grouper.add(processorName)
    this.#grouper.unite(processorName, [sourceName])
    this.globalStores.set(builder.name, { builder, users: [processorName] })
  }

  isGlobalSource(name: string): boolean {
    return this.#globalSources.has(name)
  }

  /** Names of the nodes of global stores (their sources and processors). */
  globalNodeNames(): Set<string> {
    const names = new Set<string>()
    for (const group of this.nodeGroups().values()) {
      if (group.some((name) => this.#globalSources.has(name))) for (const name of group) names.add(name)
    }
    return names
  }

  globalTopics(): ReadonlySet<string> {
    return this.#globalTopics
  }

  /** Groups of source nodes whose topics must have the same partition count (joins). */
  readonly copartitionSourceGroups: Set<string>[] = []

  readonly #sourceRenames = new Map<string, string>()

  copartitionSources(sourceNodes: Iterable<string>): void {
    this.copartitionSourceGroups.push(new Set([...sourceNodes].map((name) => this.#sourceRenames.get(name) ?? name)))
  }

  /**
   * Kafka `maybeUpdateCopartitionSourceGroups`: a repartition source the optimizer replaced is
   * co-partitioned under its replacement's name.
   */
  renameCopartitionSource(oldName: string, newName: string): void {
    this.#sourceRenames.set(oldName, newName)
    for (const group of this.copartitionSourceGroups) {
      if (group.delete(oldName)) group.add(newName)
    }
  }

  addInternalTopic(name: string, properties: InternalTopicProperties = {}): void {
    this.internalTopics.set(name, properties)
  }

  /** `<applicationId>-<name>` for internal topics, the name itself for user topics. */
  decorateTopic(topic: string): string {
    if (!this.internalTopics.has(topic)) return topic
    if (this.applicationId === undefined)
      throw new TopologyException('the application id must be set before internal topics are named')
    return `${this.applicationId}-${topic}`
  }

  /** Sub-topologies in Kafka's numbering: node groups in order of their first node. */
  nodeGroups(): Map<number, string[]> {
    const groups = new Map<number, string[]>()
    const byRoot = new Map<string, string[]>()
    for (const name of this.nodeFactories.keys()) {
      const root = this.#grouper.root(name)
      let group = byRoot.get(root)
      if (!group) {
        group = []
        byRoot.set(root, group)
        groups.set(groups.size, group)
      }
      group.push(name)
    }
    return groups
  }

  /** Source topics (undecorated) of one sub-topology, or of all. */
  sourceTopics(subtopology?: number): string[] {
    const names =
      subtopology === undefined ? [...this.nodeFactories.keys()] : (this.nodeGroups().get(subtopology) ?? [])
    const topics: string[] = []
    for (const name of names) {
      const node = this.nodeFactories.get(name)
      if (node?.kind === 'source') topics.push(...node.topics)
    }
    return topics
  }

  sourcePatterns(): RegExp[] {
    return this.#sourcePatterns.map((entry) => entry.pattern)
  }

  describe(): TopologyDescription {
    const description = new TopologyDescription()
    for (const [id, names] of this.nodeGroups()) {
      const nodes = new Map<string, DescribedNode>()
      for (const name of javaHashOrder(names, capacityAfterAdds(names.length))) {
        const factory = this.nodeFactories.get(name)
        if (!factory) continue
        nodes.set(name, describeNode(factory))
      }
      for (const node of nodes.values()) {
        const factory = this.nodeFactories.get(node.name)
        for (const predecessorName of factory?.predecessors ?? []) {
          const predecessor = nodes.get(predecessorName)
          if (!predecessor) continue
          node.addPredecessor(predecessor)
          predecessor.addSuccessor(node)
          predecessor.updateSize(node.size)
        }
      }
      const globalSource = names.find((name) => this.#globalSources.has(name))
      if (globalSource !== undefined) {
        const processorName = names.find((name) => name !== globalSource) ?? ''
        const factory = this.nodeFactories.get(globalSource)
        const storeName =
          [...this.globalStores.entries()].find(([, entry]) => entry.users.includes(processorName))?.[0] ?? ''
        description.addGlobalStore(
          id,
          globalSource,
          processorName,
          storeName,
          factory?.kind === 'source' ? (factory.topics[0] ?? '') : '',
        )
        continue
      }
      description.addSubtopology(id, [...nodes.values()])
    }
    return description
  }

  #checkNewName(name: string): void {
    if (!name) throw new TopologyException('a node name must be a non-empty string')
    if (this.nodeFactories.has(name)) {
      throw new TopologyException(`Processor ${name} is already added. Node names must be unique: choose another name.`)
    }
  }
}

function describeNode(factory: NodeFactory): DescribedNode {
  switch (factory.kind) {
    case 'source':
      return TopologyDescription.source(factory.name, factory.pattern ? undefined : factory.topics, factory.pattern)
    case 'processor':
      return TopologyDescription.processor(factory.name, factory.stateStoreNames)
    case 'sink':
      return TopologyDescription.sink(factory.name, factory.topic, factory.topicExtractor)
  }
}

/** Java's `Pattern.matcher(topic).matches()`: the whole topic must match. */
export function fullMatch(pattern: RegExp, topic: string): boolean {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''))
  return anchored.test(topic)
}
