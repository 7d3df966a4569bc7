import type { Headers } from '../../header/headers.ts'

/**
 * Where sinks send serialized records (Kafka `RecordCollector`): the runtime's producer or the test
 * driver's in-memory capture.
 */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: Headers,
    timestamp: number,
    partitions: number | Iterable<number> | null | undefined,
  ): void
  /** Runs a custom partitioner with the topic's partition count. */
  partitionsFor(
    topic: string,
    partitioner: (numPartitions: number) => number | Iterable<number> | null | undefined,
  ): number | Iterable<number> | null | undefined
}
