/**
 * Chooses the partitions of an output record (Kafka `StreamPartitioner`). Return a partition number, a set
 * of partitions (multicast), or undefined/null for the default murmur2 partitioning of the serialized key.
 */
export type StreamPartitioner<K, V> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | Iterable<number> | null | undefined
