import { capacityOfCopy, javaHashOrder, javaSetString } from './internals/java-order.ts'

/*
 * Kafka `TopologyDescription`, whose `toString()` output is byte-identical to Java's: nodes of a
 * sub-topology ordered by the size of the sub-tree they root (largest first), then by name; topic and
 * store sets printed in Java HashSet order.
 */

type Kind = 'Source' | 'Processor' | 'Sink'

function compareNodes(a: DescribedNode, b: DescribedNode): number {
  if (a === b) return 0
  if (a.size !== b.size) return b.size - a.size
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** Inserts keeping the order the comparator gives at insertion time, as a Java TreeSet does. */
function insertSorted(list: DescribedNode[], node: DescribedNode): void {
  if (list.includes(node)) return
  let i = 0
  while (i < list.length && compareNodes(list[i] as DescribedNode, node) < 0) i++
  list.splice(i, 0, node)
}

function names(nodes: readonly DescribedNode[]): string {
  return nodes.length === 0 ? 'none' : nodes.map((n) => n.name).join(', ')
}

export class DescribedNode {
  readonly kind: Kind
  readonly name: string
  readonly predecessors: DescribedNode[] = []
  readonly successors: DescribedNode[] = []
  /** Source: the topics (undefined for a pattern source). */
  readonly topicSet: readonly string[] | undefined
  readonly topicPattern: RegExp | undefined
  /** Processor: the connected stores. */
  readonly stores: readonly string[]
  /** Sink: the topic, or undefined when a topic name extractor chooses it. */
  readonly topic: string | undefined
  readonly topicNameExtractor: unknown
  /** Size of the sub-tree rooted here, this node included. */
  size = 1

  constructor(
    kind: Kind,
    name: string,
    extra: {
      topics?: readonly string[] | undefined
      pattern?: RegExp | undefined
      stores?: readonly string[]
      topic?: string | undefined
      extractor?: unknown
    },
  ) {
    this.kind = kind
    this.name = name
    this.topicSet = extra.topics
    this.topicPattern = extra.pattern
    this.stores = extra.stores ?? []
    this.topic = extra.topic
    this.topicNameExtractor = extra.extractor
  }

  addPredecessor(node: DescribedNode): void {
    insertSorted(this.predecessors, node)
  }

  addSuccessor(node: DescribedNode): void {
    insertSorted(this.successors, node)
  }

  updateSize(delta: number): void {
    this.size += delta
    for (const predecessor of this.predecessors) predecessor.updateSize(delta)
  }

  toString(): string {
    switch (this.kind) {
      case 'Source': {
        const topics = this.topicSet ? javaSetString(this.topicSet) : (this.topicPattern?.source ?? '')
        return `Source: ${this.name} (topics: ${topics})\n      --> ${names(this.successors)}`
      }
      case 'Processor':
        return `Processor: ${this.name} (stores: ${javaSetString(this.stores)})\n      --> ${names(this.successors)}\n      <-- ${names(this.predecessors)}`
      case 'Sink':
        if (this.topic !== undefined)
          return `Sink: ${this.name} (topic: ${this.topic})\n      <-- ${names(this.predecessors)}`
        return `Sink: ${this.name} (extractor class: ${extractorName(this.topicNameExtractor)})\n      <-- ${names(this.predecessors)}`
    }
  }
}

function extractorName(extractor: unknown): string {
  if (typeof extractor === 'function') return extractor.name || 'anonymous TopicNameExtractor'
  return String(extractor)
}

export interface SubtopologyDescription {
  readonly id: number
  readonly nodes: readonly DescribedNode[]
}

export interface GlobalStoreDescription {
  readonly id: number
  readonly source: DescribedNode
  readonly processor: DescribedNode
}

export class TopologyDescription {
  readonly subtopologies: SubtopologyDescription[] = []
  readonly globalStores: GlobalStoreDescription[] = []

  addGlobalStore(id: number, sourceName: string, processorName: string, storeName: string, topic: string): void {
    const source = new DescribedNode('Source', sourceName, { topics: [topic] })
    const processor = new DescribedNode('Processor', processorName, { stores: [storeName] })
    source.addSuccessor(processor)
    processor.addPredecessor(source)
    this.globalStores.push({ id, source, processor })
    this.globalStores.sort((a, b) => a.id - b.id)
  }

  static source(name: string, topics: readonly string[] | undefined, pattern: RegExp | undefined): DescribedNode {
    return new DescribedNode('Source', name, {
      topics: topics ? javaHashOrder(topics, capacityOfCopy(topics.length)) : undefined,
      pattern,
    })
  }

  static processor(name: string, stores: Iterable<string>): DescribedNode {
    const list = [...stores]
    return new DescribedNode('Processor', name, { stores: javaHashOrder(list, capacityOfCopy(list.length)) })
  }

  static sink(name: string, topic: string | undefined, extractor: unknown): DescribedNode {
    return new DescribedNode('Sink', name, { topic, extractor })
  }

  addSubtopology(id: number, nodes: DescribedNode[]): void {
    this.subtopologies.push({ id, nodes: [...nodes].sort(compareNodes) })
    this.subtopologies.sort((a, b) => a.id - b.id)
  }

  /** Java's order: sub-topologies and global stores interleaved by id. */
  toString(): string {
    let text = 'Topologies:\n '
    const entries: { id: number; text: string }[] = [
      ...this.subtopologies.map((subtopology) => ({
        id: subtopology.id,
        text: `Sub-topology: ${subtopology.id}\n${subtopology.nodes.map((node) => `    ${node.toString()}\n`).join('')}\n`,
      })),
      ...this.globalStores.map((store) => ({
        id: store.id,
        text: `Sub-topology: ${store.id} for global store (will not generate tasks)\n    ${store.source.toString()}\n    ${store.processor.toString()}\n`,
      })),
    ].sort((a, b) => a.id - b.id)
    for (const entry of entries) text += `  ${entry.text}`
    return text
  }
}
