import { Headers } from '../../header/headers.ts'

/** Friend access for sinks and the runtime: a record's headers without the copy the getter makes. */
export const rawHeaders: unique symbol = Symbol('rawHeaders')

/**
 * A record flowing through processors (Kafka `org.apache.kafka.streams.processor.api.Record`).
 * Immutable apart from its headers, which belong to each record: as in Kafka, a record never sees
 * header changes made through another record. The copy is made lazily, on first access to `headers`,
 * so records whose headers nobody touches cost no copy.
 */
export class Record<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  #headers: Headers | undefined
  #owned = false

  constructor(key: K, value: V, timestamp: number, headers?: Headers) {
    if (timestamp < 0) throw new RangeError(`Malformed Record: timestamp may not be negative. Got: ${timestamp}`)
    this.key = key
    this.value = value
    this.timestamp = timestamp
    this.#headers = headers
  }

  get headers(): Headers {
    if (!this.#owned) {
      this.#headers = this.#headers && this.#headers.size > 0 ? this.#headers.clone() : new Headers()
      this.#owned = true
    }
    return this.#headers as Headers
  }

  [rawHeaders](): Headers | undefined {
    return this.#headers
  }

  #share(): Headers | undefined {
    // the new record and this one now share the object until either touches `headers`
    this.#owned = false
    return this.#headers
  }

  withKey<NewK>(key: NewK): Record<NewK, V> {
    return new Record(key, this.value, this.timestamp, this.#share())
  }

  withValue<NewV>(value: NewV): Record<K, NewV> {
    return new Record(this.key, value, this.timestamp, this.#share())
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.#share())
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers)
  }
}
