import { Headers } from '../header/headers.ts'

/** A record as test topics take and give it (Kafka `TestRecord`); timestamp undefined = let the topic choose. */
export class TestRecord<K, V> {
  readonly key: K | null
  readonly value: V | null
  readonly headers: Headers
  readonly timestamp: number | undefined

  constructor(key: K | null, value: V | null, headers?: Headers | null, timestamp?: number | Date) {
    this.key = key
    this.value = value
    this.headers = headers ?? new Headers()
    this.timestamp = timestamp instanceof Date ? timestamp.getTime() : timestamp
  }

  /** The timestamp as a Date (Java's `getRecordTime()`). */
  get recordTime(): Date | undefined {
    return this.timestamp === undefined ? undefined : new Date(this.timestamp)
  }

  /** The value alone, with the other fields left empty (Java's `new TestRecord(value)`). */
  static ofValue<V>(value: V | null): TestRecord<null, V> {
    return new TestRecord<null, V>(null, value)
  }
}
