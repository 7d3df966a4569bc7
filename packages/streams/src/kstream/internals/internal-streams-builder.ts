import { InternalTopologyBuilder } from '../../processor/internals/internal-topology-builder.ts'
import { GraphNode } from './graph/graph-node.ts'

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

  /** Writes the graph to the topology builder, breadth-first by build priority (Kafka `buildAndOptimizeTopology`). */
  buildAndOptimizeTopology(): InternalTopologyBuilder {
    if (this.#built) return this.topologyBuilder
    this.#built = true
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
}
