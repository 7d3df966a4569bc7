import type { InternalTopologyBuilder } from '../../../processor/internals/internal-topology-builder.ts'

/**
 * A node of the DSL graph (Kafka `GraphNode`). DSL calls only add graph nodes; `writeToTopology` adds
 * the node's processors, sources and sinks to the topology when the build pass reaches it, in order of
 * build priority (the order in which the DSL created the nodes).
 */
export class GraphNode {
  readonly nodeName: string
  readonly children: GraphNode[] = []
  readonly parents: GraphNode[] = []
  buildPriority = 0
  written = false
  keyChangingOperation = false
  valueChangingOperation = false
  mergeNode = false
  /** For a repartition node that the optimizer may merge: its topic and serdes. */
  repartition: { topic: string; keySerde: unknown; valueSerde: unknown } | undefined
  readonly #write: ((builder: InternalTopologyBuilder, parentNames: string[]) => void) | undefined

  constructor(nodeName: string, write?: (builder: InternalTopologyBuilder, parentNames: string[]) => void) {
    this.nodeName = nodeName
    this.#write = write
  }

  addChild(child: GraphNode): void {
    if (!this.children.includes(child)) this.children.push(child)
    if (!child.parents.includes(this)) child.parents.push(this)
  }

  removeChild(child: GraphNode): void {
    const i = this.children.indexOf(child)
    if (i >= 0) this.children.splice(i, 1)
    const j = child.parents.indexOf(this)
    if (j >= 0) child.parents.splice(j, 1)
  }

  clearChildren(): void {
    for (const child of [...this.children]) this.removeChild(child)
  }

  parentNames(): string[] {
    return this.parents.map((parent) => parent.nodeName)
  }

  allParentsWritten(): boolean {
    return this.parents.every((parent) => parent.written)
  }

  writeToTopology(builder: InternalTopologyBuilder): void {
    this.#write?.(builder, this.parentNames())
  }
}
