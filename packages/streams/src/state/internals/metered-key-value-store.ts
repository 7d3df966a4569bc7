import type { KeyValue } from '../../kstream/key-value.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { Serde } from '../../serde/serde.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { KeyValueStore } from '../key-value-store.ts'
import type { ValueAndTimestamp } from '../value-and-timestamp.ts'
import { MeteredStore } from './metered-store.ts'
import { readInt64BE, writeInt64BE } from '../../serde/internals/int64.ts'

/** The serialized form of timestamped values: [8-byte big-endian timestamp][value] (Kafka `ValueAndTimestampSerializer`). */
export function timestampedSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serializer: () => ({
      serialize(topic, data, headers) {
        if (data === null) return null
        const value = inner.serializer().serialize(topic, data.value, headers)
        if (value === null) return null
        const out = Buffer.allocUnsafe(8 + value.length)
        writeInt64BE(out, data.timestamp, 0)
        value.copy(out, 8)
        return out
      },
    }),
    deserializer: () => ({
      deserialize(topic, data, headers) {
        if (data === null) return null
        const value = inner.deserializer().deserialize(topic, data.subarray(8), headers)
        return value === null ? null : { value, timestamp: readInt64BE(data, 0) }
      },
    }),
  }
}

/** What a caching store's flush hands to the processor that owns the store. */
export type TypedFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, context: RecordContext) => void

/**
 * Kafka `MeteredKeyValueStore`: the typed face of a store. It serializes keys and values with the store's
 * serdes (the task's default serdes when none were given), counts operations, and turns the bytes
 * layers' flushes into typed changes.
 */
export class MeteredKeyValueStore<K, V> extends MeteredStore<K, V> implements KeyValueStore<K, V> {
  readonly metrics = { puts: 0, gets: 0, deletes: 0, ranges: 0, flushes: 0 }

  get(key: K): V | null {
    this.check()
    this.metrics.gets++
    return this.deserializeValue(this.inner.get(this.serializeKey(key)))
  }

  put(key: K, value: V | null): void {
    this.check()
    this.metrics.puts++
    const keyBytes = this.serializeKey(key)
    const valueBytes = this.serializeValue(value)
    if (valueBytes === null) this.inner.delete(keyBytes)
    else this.inner.put(keyBytes, valueBytes)
  }

  putIfAbsent(key: K, value: V | null): V | null {
    const existing = this.get(key)
    if (existing === null) this.put(key, value)
    return existing
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const { key, value } of entries) this.put(key, value)
  }

  delete(key: K): V | null {
    this.check()
    this.metrics.deletes++
    const keyBytes = this.serializeKey(key)
    const old = this.deserializeValue(this.inner.get(keyBytes))
    this.inner.delete(keyBytes)
    return old
  }

  range(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.#iterate(from, to, false)
  }

  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.#iterate(from, to, true)
  }

  all(): KeyValueIterator<K, V> {
    return this.#iterate(null, null, false)
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.#iterate(null, null, true)
  }

  prefixScan<P>(
    prefix: P,
    prefixSerializer: { serialize(topic: string, data: P): Buffer | null },
  ): KeyValueIterator<K, V> {
    this.check()
    const bytes = prefixSerializer.serialize(this.topic, prefix) ?? Buffer.alloc(0)
    return this.#typed(this.inner.prefixScan(bytes))
  }

  approximateNumEntries(): number {
    this.check()
    return this.inner.approximateNumEntries()
  }

  override flush(): void {
    this.metrics.flushes++
    super.flush()
  }

  /** Registers the owner's listener on the caching layer; false when the store has no cache. */
  setFlushListener(listener: TypedFlushListener<K, V>, sendOldValues: boolean): boolean {
    return this.setBytesFlushListener(
      (key, newValue, oldValue, context) =>
        listener(this.deserializeKey(key), this.deserializeValue(newValue), this.deserializeValue(oldValue), context),
      sendOldValues,
    )
  }

  #iterate(from: K | null, to: K | null, reverse: boolean): KeyValueIterator<K, V> {
    this.check()
    this.metrics.ranges++
    const lo = from === null ? undefined : this.serializeKey(from)
    const hi = to === null ? undefined : this.serializeKey(to)
    if (lo && hi && Buffer.compare(lo, hi) > 0) return new PullIterator<K, V>(this.name, () => undefined)
    return this.#typed(this.inner.range(lo, hi, reverse))
  }

  #typed(inner: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<K, V> {
    return new PullIterator<K, V>(
      this.name,
      () => {
        if (!inner.hasNext()) return undefined
        const { key, value } = inner.next()
        return { key: this.deserializeKey(key), value: this.deserializeValue(value) as V }
      },
      () => inner.close(),
    )
  }
}
