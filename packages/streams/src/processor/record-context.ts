import type { Headers } from '../header/headers.ts'

/** The context of the record being processed (Kafka `RecordContext`); topic is null during punctuation. */
export interface RecordContext {
  readonly topic: string | null
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly headers: Headers
}
