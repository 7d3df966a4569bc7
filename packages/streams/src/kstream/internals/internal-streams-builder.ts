import { InternalTopologyBuilder } from '../../processor/internals/internal-topology-builder.ts'
import type { Serde } from '../../serde/serde.ts'
import { GraphNode } from './graph/graph-node.ts'
import { repartitionNode } from './kstream-impl.ts'

/**
 * Kafka `InternalStreamsBuilder`: owns the DSL graph and the name counter. Processor and store names
 * share one counter, so generated names (`KSTREAM-FILTER-0000000001`) match Kafka's for the same program.
 */
export class InternalStreamsBuilder {
  readonly topologyBuilder = new InternalTopologyBuilder()
  readonly root = new GraphNode('root')
  #index = 0
  #priority = 0
  #built = false

  constructor() {
    this.root.buildPriority = this.#priority++
  }

  newProcessorName(prefix: string): string {
    return prefix + String(this.#index++).padStart(10, '0')
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.#index++).padStart(10, '0')}`
  }

  addGraphNode(parents: GraphNode | readonly GraphNode[], child: GraphNode): void {
    for (const parent of Array.isArray(parents) ? (parents as readonly GraphNode[]) : [parents as GraphNode])
      parent.addChild(child)
    child.buildPriority = this.#priority++
  }

  /** Repartition nodes of grouped aggregations, which `merge.repartition.topics` may merge. */
  readonly optimizableRepartitions: GraphNode[] = []
  /** The optimizations asked for, resolved from `topologyOptimization` when the topology is built. */
  optimizations: ReadonlySet<string> = new Set()

  /**
   * Writes the graph to the topology builder, breadth-first by build priority, after applying the
   * optimizations (Kafka `buildAndOptimizeTopology`).
   */
  buildAndOptimizeTopology(optimization = 'none'): InternalTopologyBuilder {
    if (this.#built) return this.topologyBuilder
    this.#built = true
    this.optimizations = parseOptimizations(optimization)
    if (this.optimizations.has(MERGE_REPARTITION_TOPICS)) this.#mergeRepartitionTopics()
    const queue: GraphNode[] = [this.root]
    while (queue.length > 0) {
      let best = 0
      for (let i = 1; i < queue.length; i++)
        if ((queue[i] as GraphNode).buildPriority < (queue[best] as GraphNode).buildPriority) best = i
      const node = queue.splice(best, 1)[0] as GraphNode
      if (node.allParentsWritten() && !node.written) {
        node.writeToTopology(this.topologyBuilder)
        node.written = true
      }
      queue.push(...node.children)
    }
    return this.topologyBuilder
  }

  /**
   * Kafka `mergeRepartitionTopics`: the repartition nodes after one key-changing operation become a
   * single node, named after the first one's topic, placed right below the key changer; the operators
   * between the key changer and each old repartition node move below the new one. When key-changed
   * streams are merged and every repartition node of those key changers lies below the merge, the merge
   * node takes their place (Kafka `maybeUpdateKeyChangingRepartitionNodeMap`).
   */
  #mergeRepartitionTopics(): void {
    const nodes = this.#allNodes()
    const byKeyChanger = new Map<GraphNode, GraphNode[]>()
    for (const node of nodes) if (node.keyChangingOperation) byKeyChanger.set(node, [])
    for (const node of this.optimizableRepartitions) {
      const keyChanger = keyChangingParent(node)
      if (keyChanger) byKeyChanger.get(keyChanger)?.push(node)
    }
    const fromMerges = new Map<GraphNode, GraphNode[]>()
    const replaced = new Set<GraphNode>()
    for (const merge of nodes.filter((node) => node.mergeNode)) {
      const repartitions: GraphNode[] = []
      for (const [keyChanger, list] of byKeyChanger) {
        const allBelowMerge = list.every((n) => findParentNodeMatching(n, (gn) => gn.parents.includes(merge)))
        if (allBelowMerge && findParentNodeMatching(merge, (gn) => gn.parents.includes(keyChanger))) {
          for (const n of list) if (!repartitions.includes(n)) repartitions.push(n)
          replaced.add(keyChanger)
        }
      }
      fromMerges.set(merge, repartitions)
    }
    for (const keyChanger of replaced) byKeyChanger.delete(keyChanger)
    for (const [merge, list] of fromMerges) byKeyChanger.set(merge, list)

    for (const [keyChanger, list] of byKeyChanger) {
      const first = list[0]?.repartition
      if (!first) continue
      const keySerde = list.map((n) => n.repartition?.keySerde).find((s) => s !== undefined)
      const valueSerde = list.map((n) => n.repartition?.valueSerde).find((s) => s !== undefined)
      const optimized = repartitionNode(
        this,
        first.topic,
        keySerde as Serde<unknown>,
        valueSerde as Serde<unknown>,
        undefined,
        undefined,
      ).node
      optimized.buildPriority = keyChanger.buildPriority
      for (const old of list) {
        const child = findParentNodeMatching(old, (n) => n.parents.includes(keyChanger))
        if (!child) throw new Error(`no child of the key changer ${keyChanger.nodeName} above ${old.nodeName}`)
        optimized.addChild(child)
        keyChanger.removeChild(child)
        for (const grandChild of [...old.children]) for (const parent of [...old.parents]) parent.addChild(grandChild)
        for (const parent of [...old.parents]) parent.removeChild(old)
        old.clearChildren()
        // joins after the old repartition topic are co-partitioned with the new one
        this.topologyBuilder.renameCopartitionSource(old.nodeName, optimized.nodeName)
      }
      keyChanger.addChild(optimized)
    }
  }

  /** Every node of the graph, in build order. */
  #allNodes(): GraphNode[] {
    const seen = new Set<GraphNode>([this.root])
    const queue = [this.root]
    for (let i = 0; i < queue.length; i++) {
      for (const child of (queue[i] as GraphNode).children) {
        if (seen.has(child)) continue
        seen.add(child)
        queue.push(child)
      }
    }
    return queue.sort((a, b) => a.buildPriority - b.buildPriority)
  }
}

/**
 * Kafka `findParentNodeMatching`: the node itself if it matches, else a matching ancestor, searching
 * each parent's line in turn (the last parent's line wins when several match, as in Kafka).
 */
function findParentNodeMatching(start: GraphNode, test: (node: GraphNode) => boolean): GraphNode | undefined {
  if (test(start)) return start
  let found: GraphNode | undefined
  for (const parent of start.parents) {
    if (test(parent)) return parent
    found = findParentNodeMatching(parent, test)
  }
  return found
}

/** Kafka `getKeyChangingParentNode`: the nearest key- or value-changing ancestor, if it changes the key. */
function keyChangingParent(node: GraphNode): GraphNode | undefined {
  const changer = findParentNodeMatching(node, (n) => n.keyChangingOperation || n.valueChangingOperation)
  const keyChanger = findParentNodeMatching(node, (n) => n.keyChangingOperation)
  return changer !== undefined && changer === keyChanger ? keyChanger : undefined
}

export const REUSE_KTABLE_SOURCE_TOPICS = 'reuse.ktable.source.topics'
export const MERGE_REPARTITION_TOPICS = 'merge.repartition.topics'
export const SINGLE_STORE_SELF_JOIN = 'single.store.self.join'
const ALL = [REUSE_KTABLE_SOURCE_TOPICS, MERGE_REPARTITION_TOPICS, SINGLE_STORE_SELF_JOIN]

/** Kafka `StreamsConfig.verifyTopologyOptimizationConfigs`: 'all', 'none', or a comma-separated list. */
function parseOptimizations(value: string): ReadonlySet<string> {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  if (items.includes('none')) {
    if (items.length > 1)
      throw new TypeError(`topologyOptimization: 'none' cannot be combined with other values (${value})`)
    return new Set()
  }
  if (items.includes('all')) {
    if (items.length > 1)
      throw new TypeError(`topologyOptimization: 'all' cannot be combined with other values (${value})`)
    return new Set(ALL)
  }
  for (const item of items) {
    if (!ALL.includes(item))
      throw new TypeError(
        `topologyOptimization: unknown optimization '${item}'; use 'all', 'none' or ${ALL.join(', ')}`,
      )
  }
  return new Set(items)
}
