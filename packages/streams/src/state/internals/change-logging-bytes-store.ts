import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import { Headers } from '../../header/headers.ts'
import { WrappedBytesStore, type BytesStore } from './bytes-store.ts'
import { readInt64BE, writeInt64BE } from '../../serde/internals/int64.ts'

const noHeaders = new Headers()

/**
 * Kafka `ChangeLoggingKeyValueBytesStore`: every write also goes to the store's changelog topic
 * `<applicationId>-<store>-changelog`, on the task's partition, with the current record's timestamp; a
 * delete writes a tombstone. For timestamped stores (`timestamped`), the stored value is
 * [8-byte timestamp][value] and the changelog gets the bare value with that timestamp, as in Kafka.
 */
export class ChangeLoggingBytesStore extends WrappedBytesStore {
  readonly #timestamped: boolean
  #context!: ProcessorContextImpl
  #topic = ''

  constructor(inner: BytesStore, timestamped: boolean) {
    super(inner)
    this.#timestamped = timestamped
  }

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    this.#context = context
    this.#topic = `${context.applicationId}-${this.name}-changelog`
    context.registerChangelog(this.#topic, this.persistent, (key, value, timestamp) =>
      this.#restore(key, value, timestamp),
    )
  }

  /** Applies a changelog record to the store below (restoration), the inverse of `#log`. */
  #restore(key: Buffer, value: Buffer | null, timestamp: number): void {
    if (value === null) {
      this.inner.delete(key)
    } else if (this.#timestamped) {
      const stored = Buffer.allocUnsafe(8 + value.length)
      writeInt64BE(stored, timestamp, 0)
      value.copy(stored, 8)
      this.inner.put(key, stored)
    } else {
      this.inner.put(key, value)
    }
  }

  override put(key: Buffer, value: Buffer): void {
    super.put(key, value)
    if (this.#timestamped) {
      this.#log(key, value.subarray(8), readInt64BE(value, 0))
    } else {
      this.#log(key, value, this.#context.recordContext.timestamp)
    }
  }

  override delete(key: Buffer): void {
    super.delete(key)
    this.#log(key, null, this.#context.recordContext.timestamp)
  }

  #log(key: Buffer, value: Buffer | null, timestamp: number): void {
    this.#context.collector.send(
      this.#topic,
      key,
      value,
      noHeaders,
      Math.max(timestamp, 0),
      this.#context.taskId.partition,
    )
  }
}
