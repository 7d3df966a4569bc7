import { TopologyException } from '../../errors/topology-exception.ts'
import { repartitionTopicPartitions } from './copartitioning.ts'
import type { InternalTopologyBuilder, OffsetReset } from './internal-topology-builder.ts'

/** A changelog or repartition topic the application owns, with the configs it is created with. */
export interface InternalTopic {
  readonly name: string
  readonly configs: { readonly [key: string]: string }
}

/** One sub-topology as the runtime sees it: node names and decorated topic names. */
export interface Subtopology {
  readonly id: number
  readonly nodeNames: ReadonlySet<string>
  readonly sourceTopics: readonly string[]
  readonly changelogTopics: readonly InternalTopic[]
}

const REPARTITION_CONFIGS = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'segment.bytes': '52428800',
  'message.timestamp.type': 'CreateTime',
}

/** A task's partitions: its input partitions and its changelog partitions. */
export interface TaskPartitions {
  readonly inputs: { topic: string; partition: number }[]
  readonly changelogs: string[]
}

/**
 * What the runtime needs to know about a topology (Kafka `TopologyMetadata` with the parts of
 * `InternalTopologyBuilder` the assignor uses): the sub-topologies with their decorated source and
 * changelog topics, the repartition topics, the global part, and the task layout for given partition
 * counts (Kafka `PartitionGrouper`).
 */
export class TopologyMetadata {
  readonly builder: InternalTopologyBuilder
  readonly subtopologies: readonly Subtopology[]
  readonly globalNodeNames: ReadonlySet<string>
  readonly globalTopics: readonly string[]
  /** Decorated repartition topic names. */
  readonly repartitionTopics: ReadonlySet<string>
  /** Every topic read by a stream task (decorated), the group subscription. */
  readonly sourceTopics: readonly string[]
  /**
   * Where a stream task starts reading a topic without a valid committed offset, when not the config's
   * `autoOffsetReset`: a source's `Consumed.withOffsetResetPolicy`, and `earliest` for repartition topics,
   * as in Kafka, whose internal topics are always read from their start.
   */
  readonly offsetResets: ReadonlyMap<string, OffsetReset>

  constructor(builder: InternalTopologyBuilder) {
    this.builder = builder
    this.globalNodeNames = builder.globalNodeNames()
    this.globalTopics = [...builder.globalTopics()]
    this.repartitionTopics = new Set([...builder.internalTopics.keys()].map((t) => builder.decorateTopic(t)))
    if (builder.sourcePatterns().length > 0) {
      throw new TopologyException(
        'Pattern subscriptions are not supported by the runtime yet: name the source topics explicitly.',
      )
    }
    const subtopologies: Subtopology[] = []
    const offsetResets = new Map<string, OffsetReset>([...this.repartitionTopics].map((t) => [t, 'earliest']))
    for (const [id, names] of builder.nodeGroups()) {
      if (names.some((name) => this.globalNodeNames.has(name))) continue
      const sourceTopics: string[] = []
      const storeNames = new Set<string>()
      for (const name of names) {
        const node = builder.nodeFactories.get(name)
        if (node?.kind === 'source') {
          const topics = node.topics.map((t) => builder.decorateTopic(t))
          sourceTopics.push(...topics)
          if (node.offsetReset) for (const topic of topics) offsetResets.set(topic, node.offsetReset)
        }
        if (node?.kind === 'processor') for (const store of node.stateStoreNames) storeNames.add(store)
      }
      const changelogTopics: InternalTopic[] = []
      for (const storeName of storeNames) {
        const entry = builder.stores.get(storeName)
        if (!entry?.builder.loggingEnabled()) continue
        changelogTopics.push({
          name: `${builder.applicationId ?? ''}-${storeName}-changelog`,
          configs: {
            'cleanup.policy': 'compact',
            'message.timestamp.type': 'CreateTime',
            ...entry.builder.logConfig(),
          },
        })
      }
      subtopologies.push({ id, nodeNames: new Set(names), sourceTopics, changelogTopics })
    }
    this.subtopologies = subtopologies
    this.offsetResets = offsetResets
    this.sourceTopics = [...new Set(subtopologies.flatMap((s) => s.sourceTopics))]
  }

  /** Topics the application reads but does not create: they must exist before it starts. */
  get externalSourceTopics(): string[] {
    return [...new Set([...this.sourceTopics, ...this.globalTopics])].filter((t) => !this.repartitionTopics.has(t))
  }

  /**
   * Partition counts of every repartition topic, given the counts of the external topics; throws a
   * `TopologyException` when joined topics are not co-partitioned.
   */
  repartitionCounts(externalCounts: ReadonlyMap<string, number>): Map<string, number> {
    const counts = repartitionTopicPartitions(this.builder, (topic) => externalCounts.get(topic))
    return new Map([...counts].map(([topic, count]) => [this.builder.decorateTopic(topic), count]))
  }

  repartitionTopicConfigs(): { readonly [key: string]: string } {
    return REPARTITION_CONFIGS
  }

  /** Every task id with its partitions, for the given partition counts of all source topics. */
  tasks(counts: ReadonlyMap<string, number>): Map<string, TaskPartitions> {
    const tasks = new Map<string, TaskPartitions>()
    for (const sub of this.subtopologies) {
      const n = Math.max(0, ...sub.sourceTopics.map((t) => counts.get(t) ?? 0))
      for (let p = 0; p < n; p++) {
        tasks.set(`${sub.id}_${p}`, {
          inputs: sub.sourceTopics.filter((t) => (counts.get(t) ?? 0) > p).map((topic) => ({ topic, partition: p })),
          changelogs: sub.changelogTopics.map((c) => c.name),
        })
      }
    }
    return tasks
  }

  subtopology(id: number): Subtopology {
    const sub = this.subtopologies.find((s) => s.id === id)
    if (!sub) throw new Error(`no sub-topology ${id}`)
    return sub
  }
}
