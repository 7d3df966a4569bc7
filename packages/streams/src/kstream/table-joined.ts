import type { StreamPartitioner } from '../processor/stream-partitioner.ts'

/**
 * Options of a foreign-key table join (Kafka `TableJoined`): the base name of its processors, store and
 * internal topics, and the partitioners of the two tables' topics when they are not partitioned by the
 * default partitioner. The partitioners do not repartition anything: they tell the join how the
 * subscription topic (`otherPartitioner`, by foreign key) and the response topic (`partitioner`, by
 * primary key) must be partitioned to be co-partitioned with the right and left tables. They see the
 * key only (the value is always null) and must return one partition.
 */
export class TableJoined<K, KO> {
  readonly partitioner: StreamPartitioner<K, null> | undefined
  readonly otherPartitioner: StreamPartitioner<KO, null> | undefined
  readonly name: string | undefined

  private constructor(
    partitioner: StreamPartitioner<K, null> | undefined,
    otherPartitioner: StreamPartitioner<KO, null> | undefined,
    name: string | undefined,
  ) {
    this.partitioner = partitioner
    this.otherPartitioner = otherPartitioner
    this.name = name
  }

  /** Partitioners of the left (primary) and right (foreign-key) tables; undefined means the default. */
  static with<K, KO>(
    partitioner: StreamPartitioner<K, null> | undefined,
    otherPartitioner: StreamPartitioner<KO, null> | undefined,
  ): TableJoined<K, KO> {
    return new TableJoined(partitioner, otherPartitioner, undefined)
  }

  /** The base name of all the join's processors, its store and its internal topics. */
  static as<K, KO>(name: string): TableJoined<K, KO> {
    return new TableJoined<K, KO>(undefined, undefined, name)
  }

  withPartitioner(partitioner: StreamPartitioner<K, null> | undefined): TableJoined<K, KO> {
    return new TableJoined(partitioner, this.otherPartitioner, this.name)
  }

  withOtherPartitioner(otherPartitioner: StreamPartitioner<KO, null> | undefined): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, otherPartitioner, this.name)
  }

  withName(name: string): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, this.otherPartitioner, name)
  }
}
