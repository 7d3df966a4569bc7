import { TopologyException } from '../../errors/topology-exception.ts'
import type { InternalTopologyBuilder } from './internal-topology-builder.ts'

/**
 * The partition count of every repartition topic, and the check that joined topics are co-partitioned
 * (Kafka `RepartitionTopics` and `CopartitionedTopicsEnforcer`, which the group leader runs when it
 * assigns tasks). Topic names are the topology's, undecorated; `partitionCount` gives the counts of the
 * user's topics.
 *
 * A repartition topic without a fixed count (`Repartitioned.withNumberOfPartitions`) gets the largest
 * count among the source topics of the sub-topologies writing to it (those known yet, where topics feed
 * each other in a cycle). In each group of topics read by one
 * join, the user's topics must have the same count (or the join would pair different keys), and the
 * repartition topics follow it; a group of repartition topics only takes their fixed count, which must
 * agree, or else their largest.
 */
export function repartitionTopicPartitions(
  builder: InternalTopologyBuilder,
  partitionCount: (topic: string) => number | undefined,
): Map<string, number> {
  const fixed = new Map<string, number>()
  for (const [topic, properties] of builder.internalTopics)
    if (properties.numberOfPartitions !== undefined) fixed.set(topic, properties.numberOfPartitions)
  const counts = new Map(fixed)
  const shown = (topic: string): string => (builder.applicationId === undefined ? topic : builder.decorateTopic(topic))
  const countOf = (topic: string): number | undefined => {
    if (builder.internalTopics.has(topic)) return counts.get(topic)
    const count = partitionCount(topic)
    if (count === undefined) throw new TopologyException(`Topic not found: ${topic}. Create it before starting.`)
    return count
  }

  const writers = new Map<string, string[][]>() // repartition topic -> source topics of each writing sub-topology
  for (const group of builder.nodeGroups().values()) {
    const sources: string[] = []
    const sinks: string[] = []
    for (const name of group) {
      const node = builder.nodeFactories.get(name)
      if (node?.kind === 'source') sources.push(...node.topics)
      else if (node?.kind === 'sink' && node.topic !== undefined) sinks.push(node.topic)
    }
    for (const sink of sinks)
      if (builder.internalTopics.has(sink)) writers.set(sink, [...(writers.get(sink) ?? []), sources])
  }
  for (let progress = true; progress;) {
    progress = false
    for (const [topic, sourceSets] of writers) {
      if (counts.has(topic)) continue
      // as Kafka, the counts known so far: the foreign-key join's topics feed each other
      const upstream = sourceSets
        .flat()
        .map(countOf)
        .filter((count) => count !== undefined)
      if (upstream.length === 0) continue
      counts.set(topic, Math.max(...upstream))
      progress = true
    }
  }
  const unknown = [...builder.internalTopics.keys()].filter((topic) => !counts.has(topic))
  if (unknown.length > 0)
    throw new TopologyException(
      `Failed to compute the number of partitions of repartition topics ${unknown.join(', ')}`,
    )

  for (const sourceNodes of builder.copartitionSourceGroups) {
    const topics = new Set<string>()
    for (const name of sourceNodes) {
      const node = builder.nodeFactories.get(name)
      if (node?.kind === 'source') for (const topic of node.topics) topics.add(topic)
    }
    const repartition = [...topics].filter((topic) => builder.internalTopics.has(topic))
    const external = [...topics].filter((topic) => !builder.internalTopics.has(topic))
    let target: number
    if (external.length > 0) {
      const byTopic = external.map((topic) => [topic, countOf(topic) as number] as const)
      target = byTopic[0]?.[1] as number
      if (byTopic.some(([, count]) => count !== target))
        throw new TopologyException(`Topics not co-partitioned: [${javaMap(byTopic)}]`)
    } else {
      const enforced = repartition.filter((topic) => fixed.has(topic))
      target = Math.max(...repartition.map((topic) => counts.get(topic) as number))
      if (enforced.length > 0) {
        target = fixed.get(enforced[0] as string) as number
        if (enforced.some((topic) => fixed.get(topic) !== target)) {
          const named = repartition.map((topic) => [shown(topic), counts.get(topic) as number] as const)
          throw new TopologyException(`Following topics do not have the same number of partitions: [${javaMap(named)}]`)
        }
      }
    }
    for (const topic of repartition) {
      const own = fixed.get(topic)
      if (own !== undefined && own !== target) {
        throw new TopologyException(
          `Number of partitions [${own}] of repartition topic [${shown(topic)}] doesn't match number of partitions [${target}] of the source topic.`,
        )
      }
      counts.set(topic, target)
    }
  }
  return counts
}

/** A Java `TreeMap`'s `toString`: `{a=1, b=2}`, sorted by key. */
function javaMap(entries: readonly (readonly [string, number])[]): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${sorted.map(([topic, count]) => `${topic}=${count}`).join(', ')}}`
}
