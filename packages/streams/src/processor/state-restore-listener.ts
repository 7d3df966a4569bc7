import type { TopicPartition } from '../client/kafka-client.ts'

/**
 * Told about the restoration of every store from its changelog (Kafka `StateRestoreListener`): offsets
 * are changelog offsets; `endingOffset` is exclusive (the changelog's end when restoration started).
 */
export interface StateRestoreListener {
  onRestoreStart?(partition: TopicPartition, storeName: string, startingOffset: number, endingOffset: number): void
  onBatchRestored?(partition: TopicPartition, storeName: string, batchEndOffset: number, numRestored: number): void
  onRestoreEnd?(partition: TopicPartition, storeName: string, totalRestored: number): void
  /** Restoration stopped before the end because the task moved to another instance. */
  onRestoreSuspended?(partition: TopicPartition, storeName: string, totalRestored: number): void
}
