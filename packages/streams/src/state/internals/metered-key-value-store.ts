import type { KeyValue } from '../../kstream/key-value.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { ManagedStateStore } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { InvalidStateStoreException, PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { KeyValueStore } from '../key-value-store.ts'
import type { ValueAndTimestamp } from '../value-and-timestamp.ts'
import type { BytesStore, CachedBytesStore } from './bytes-store.ts'

/** The serialized form of timestamped values: [8-byte big-endian timestamp][value] (Kafka `ValueAndTimestampSerializer`). */
export function timestampedSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serializer: () => ({
      serialize(topic, data, headers) {
        if (data === null) return null
        const value = inner.serializer().serialize(topic, data.value, headers)
        if (value === null) return null
        const out = Buffer.allocUnsafe(8 + value.length)
        out.writeBigInt64BE(BigInt(data.timestamp), 0)
        value.copy(out, 8)
        return out
      },
    }),
    deserializer: () => ({
      deserialize(topic, data, headers) {
        if (data === null) return null
        const value = inner.deserializer().deserialize(topic, data.subarray(8), headers)
        return value === null ? null : { value, timestamp: Number(data.readBigInt64BE(0)) }
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
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V>, ManagedStateStore {
  readonly name: string
  readonly #inner: BytesStore
  #keySerde: Serde<K> | undefined
  #valueSerde: Serde<V> | undefined
  readonly #wrapValueSerde: ((serde: Serde<unknown>) => Serde<V>) | undefined
  #topic = ''
  #open = false
  readonly metrics = { puts: 0, gets: 0, deletes: 0, ranges: 0, flushes: 0 }

  /** Whether values carry their timestamp (a timestamped store). */
  get timestamped(): boolean {
    return this.#wrapValueSerde !== undefined
  }

  constructor(
    inner: BytesStore,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    wrapValueSerde?: (serde: Serde<unknown>) => Serde<V>,
  ) {
    this.name = inner.name
    this.#inner = inner
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#wrapValueSerde = wrapValueSerde
  }

  get persistent(): boolean {
    return this.#inner.persistent
  }

  /** Serdes given by the DSL after the store was built (from the upstream operator). */
  initSerdes(keySerde: Serde<K> | undefined, valueSerde: Serde<unknown> | undefined): void {
    this.#keySerde ??= keySerde
    if (!this.#valueSerde && valueSerde)
      this.#valueSerde = this.#wrapValueSerde ? this.#wrapValueSerde(valueSerde) : (valueSerde as Serde<V>)
  }

  init(context: ProcessorContextImpl): void {
    this.#keySerde ??= context.requireKeySerde(`store ${this.name}`) as Serde<K>
    if (!this.#valueSerde) {
      const serde = context.requireValueSerde(`store ${this.name}`)
      this.#valueSerde = this.#wrapValueSerde ? this.#wrapValueSerde(serde) : (serde as Serde<V>)
    }
    this.#topic = `${context.applicationId}-${this.name}-changelog`
    this.#inner.init(context)
    this.#open = true
  }

  isOpen(): boolean {
    return this.#open
  }

  #check(): void {
    if (!this.#open) throw new InvalidStateStoreException(`Store ${this.name} is currently closed.`)
  }

  serializeKey(key: K): Buffer {
    const bytes = (this.#keySerde as Serde<K>).serializer().serialize(this.#topic, key)
    if (bytes === null) throw new TypeError(`store ${this.name}: a key may not be null`)
    return bytes
  }

  deserializeKey(bytes: Buffer): K {
    return (this.#keySerde as Serde<K>).deserializer().deserialize(this.#topic, bytes) as K
  }

  serializeValue(value: V | null): Buffer | null {
    return (this.#valueSerde as Serde<V>).serializer().serialize(this.#topic, value)
  }

  deserializeValue(bytes: Buffer | undefined | null): V | null {
    return bytes === undefined || bytes === null
      ? null
      : (this.#valueSerde as Serde<V>).deserializer().deserialize(this.#topic, bytes)
  }

  get(key: K): V | null {
    this.#check()
    this.metrics.gets++
    return this.deserializeValue(this.#inner.get(this.serializeKey(key)))
  }

  put(key: K, value: V | null): void {
    this.#check()
    this.metrics.puts++
    const keyBytes = this.serializeKey(key)
    const valueBytes = value === null ? null : this.serializeValue(value)
    if (valueBytes === null) this.#inner.delete(keyBytes)
    else this.#inner.put(keyBytes, valueBytes)
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
    this.#check()
    this.metrics.deletes++
    const keyBytes = this.serializeKey(key)
    const old = this.deserializeValue(this.#inner.get(keyBytes))
    this.#inner.delete(keyBytes)
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
    this.#check()
    const bytes = prefixSerializer.serialize(this.#topic, prefix) ?? Buffer.alloc(0)
    return this.#typed(this.#inner.prefixScan(bytes))
  }

  approximateNumEntries(): number {
    this.#check()
    return this.#inner.approximateNumEntries()
  }

  flush(): void {
    this.metrics.flushes++
    this.#inner.flush()
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    this.#inner.close()
  }

  /** Registers the owner's listener on the caching layer; false when the store has no cache. */
  setFlushListener(listener: TypedFlushListener<K, V>, sendOldValues: boolean): boolean {
    const inner = this.#inner as Partial<CachedBytesStore>
    if (typeof inner.setFlushListener !== 'function') return false
    return inner.setFlushListener(
      (key, newValue, oldValue, context) =>
        listener(this.deserializeKey(key), this.deserializeValue(newValue), this.deserializeValue(oldValue), context),
      sendOldValues,
    )
  }

  #iterate(from: K | null, to: K | null, reverse: boolean): KeyValueIterator<K, V> {
    this.#check()
    this.metrics.ranges++
    const lo = from === null ? undefined : this.serializeKey(from)
    const hi = to === null ? undefined : this.serializeKey(to)
    if (lo && hi && Buffer.compare(lo, hi) > 0) return new PullIterator<K, V>(this.name, () => undefined)
    return this.#typed(this.#inner.range(lo, hi, reverse))
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
