import { StreamsException } from '../errors/streams-exception.ts'

/** The consumed record a timestamp extractor looks at. */
export interface ConsumedRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly key: unknown
  readonly value: unknown
}

/**
 * Gives each consumed record its event time (Kafka `TimestampExtractor`). `partitionTime` is the highest
 * timestamp seen so far on the partition, -1 if none. A negative result drops the record.
 */
export interface TimestampExtractor {
  extract(record: ConsumedRecord, partitionTime: number): number
}

function invalid(record: ConsumedRecord, timestamp: number): string {
  return (
    `Input record ${record.topic}-${record.partition} offset ${record.offset} has invalid (negative) timestamp ` +
    `${timestamp}. Possibly because a pre-0.10 producer client was used to write this record to Kafka without ` +
    `embedding a timestamp, or because the input topic was created before upgrading the Kafka cluster to 0.10+. ` +
    `Use a different TimestampExtractor to process this data.`
  )
}

/** The record's own timestamp; fails on a negative one (Kafka's default, `FailOnInvalidTimestamp`). */
export class FailOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumedRecord): number {
    if (record.timestamp < 0) throw new StreamsException(invalid(record, record.timestamp))
    return record.timestamp
  }
}

/** The record's own timestamp; a negative one drops the record with a warning. */
export class LogAndSkipOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumedRecord): number {
    if (record.timestamp < 0) {
      console.warn(`${invalid(record, record.timestamp)} The record is skipped.`)
    }
    return record.timestamp
  }
}

/** The record's own timestamp; a negative one is replaced by the partition time (fails if there is none). */
export class UsePartitionTimeOnInvalidTimestamp implements TimestampExtractor {
  extract(record: ConsumedRecord, partitionTime: number): number {
    if (record.timestamp >= 0) return record.timestamp
    if (partitionTime < 0) {
      throw new StreamsException(
        `Could not infer new timestamp for input record ${record.topic}-${record.partition} offset ${record.offset} ` +
          `because partition time is unknown.`,
      )
    }
    return partitionTime
  }
}

/** The current wall-clock time, ignoring the record (Kafka `WallclockTimestampExtractor`). */
export class WallclockTimestampExtractor implements TimestampExtractor {
  extract(): number {
    return Date.now()
  }
}

/** A function is a timestamp extractor too. */
export type TimestampExtractorLike = TimestampExtractor | ((record: ConsumedRecord, partitionTime: number) => number)

export function toTimestampExtractor(extractor: TimestampExtractorLike): TimestampExtractor {
  return typeof extractor === 'function' ? { extract: extractor } : extractor
}
