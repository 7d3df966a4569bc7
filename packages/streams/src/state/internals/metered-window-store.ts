import { Window, Windowed } from '../../kstream/windowed.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { ManagedStateStore } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { InvalidStateStoreException, PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { WindowStore, WindowStoreIterator } from '../window-store.ts'
import type { BytesStore, CachedBytesStore } from './bytes-store.ts'
import type { TypedFlushListener } from './metered-key-value-store.ts'
import type { SegmentedBytesStore } from './segmented-bytes-store.ts'
import { keyRange, storeKeyKey, storeKeyTimestamp, toStoreKey } from './window-key-schema.ts'

/**
 * Kafka `MeteredWindowStore` over `RocksDBWindowStore`: the typed window store. Keys are stored as
 * [key][window start][seqnum]; a fetch for one key is a range over its windows, filtered to that exact
 * key (a longer key sharing the prefix sorts in between) and to the live retention period.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V>, ManagedStateStore {
  readonly name: string
  readonly windowSizeMs: number
  readonly retainDuplicates: boolean
  readonly #inner: BytesStore
  readonly #segments: SegmentedBytesStore
  #keySerde: Serde<K> | undefined
  #valueSerde: Serde<V> | undefined
  readonly #wrapValueSerde: ((serde: Serde<unknown>) => Serde<V>) | undefined
  #topic = ''
  #open = false
  #seqnum = 0

  constructor(
    inner: BytesStore,
    segments: SegmentedBytesStore,
    windowSizeMs: number,
    retainDuplicates: boolean,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    wrapValueSerde?: (serde: Serde<unknown>) => Serde<V>,
  ) {
    this.name = inner.name
    this.#inner = inner
    this.#segments = segments
    this.windowSizeMs = windowSizeMs
    this.retainDuplicates = retainDuplicates
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#wrapValueSerde = wrapValueSerde
  }

  get persistent(): boolean {
    return this.#inner.persistent
  }

  /** Whether values carry their timestamp (a timestamped store). */
  get timestamped(): boolean {
    return this.#wrapValueSerde !== undefined
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

  #key(key: K): Buffer {
    const bytes = (this.#keySerde as Serde<K>).serializer().serialize(this.#topic, key)
    if (bytes === null) throw new TypeError(`store ${this.name}: a key may not be null`)
    return bytes
  }

  #value(bytes: Buffer | undefined): V | null {
    return bytes === undefined ? null : (this.#valueSerde as Serde<V>).deserializer().deserialize(this.#topic, bytes)
  }

  #windowed(storeKey: Buffer): Windowed<K> {
    const start = storeKeyTimestamp(storeKey)
    const key = (this.#keySerde as Serde<K>).deserializer().deserialize(this.#topic, storeKeyKey(storeKey)) as K
    return new Windowed(key, new Window(start, start + this.windowSizeMs))
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.#check()
    if (this.retainDuplicates && value === null) return
    const seq = this.retainDuplicates ? ++this.#seqnum : 0
    const storeKey = toStoreKey(this.#key(key), windowStart, seq)
    const bytes = value === null ? null : (this.#valueSerde as Serde<V>).serializer().serialize(this.#topic, value)
    if (bytes === null) this.#inner.delete(storeKey)
    else this.#inner.put(storeKey, bytes)
  }

  fetch(key: K, windowStart: number): V | null {
    this.#check()
    return this.#value(this.#inner.get(toStoreKey(this.#key(key), windowStart, 0)))
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V> {
    return this.#fetchKey(key, timeFrom, timeTo, false)
  }

  backwardFetchRange(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V> {
    return this.#fetchKey(key, timeFrom, timeTo, true)
  }

  fetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    this.#check()
    const from = keyFrom === null ? undefined : toStoreKey(this.#key(keyFrom), Math.max(timeFrom, 0), 0)
    const to = keyTo === null ? undefined : toStoreKey(this.#key(keyTo), timeTo, -1)
    return this.#windowedIterator(this.#inner.range(from, to), timeFrom, timeTo)
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    this.#check()
    return this.#windowedIterator(this.#inner.range(undefined, undefined), 0, Number.MAX_SAFE_INTEGER)
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.#check()
    return this.#windowedIterator(this.#segments.rangeIn(undefined, undefined, timeFrom, timeTo), timeFrom, timeTo)
  }

  flush(): void {
    this.#inner.flush()
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    this.#inner.close()
  }

  /** Registers the owner's listener on the caching layer: keys arrive as Windowed, values typed. */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    const inner = this.#inner as Partial<CachedBytesStore>
    if (typeof inner.setFlushListener !== 'function') return false
    return inner.setFlushListener(
      (key, newValue, oldValue, context) =>
        listener(this.#windowed(key), this.#value(newValue ?? undefined), this.#value(oldValue ?? undefined), context),
      sendOldValues,
    )
  }

  #fetchKey(key: K, timeFrom: number, timeTo: number, reverse: boolean): WindowStoreIterator<V> {
    this.#check()
    const keyBytes = this.#key(key)
    const from = Math.max(timeFrom, this.#segments.minLiveTime())
    const [lo, hi] = keyRange(keyBytes, from, timeTo)
    const inner = this.#inner.range(lo, hi, reverse)
    return new PullIterator<number, V>(
      this.name,
      () => {
        while (inner.hasNext()) {
          const { key: storeKey, value } = inner.next()
          if (storeKey.length !== keyBytes.length + 12) continue
          const start = storeKeyTimestamp(storeKey)
          if (start < from || start > timeTo) continue
          return { key: start, value: this.#value(value) as V }
        }
        return undefined
      },
      () => inner.close(),
    )
  }

  #windowedIterator(
    inner: KeyValueIterator<Buffer, Buffer>,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    const minLive = this.#segments.minLiveTime()
    return new PullIterator<Windowed<K>, V>(
      this.name,
      () => {
        while (inner.hasNext()) {
          const { key: storeKey, value } = inner.next()
          const start = storeKeyTimestamp(storeKey)
          if (start < timeFrom || start > timeTo || start < minLive) continue
          return { key: this.#windowed(storeKey), value: this.#value(value) as V }
        }
        return undefined
      },
      () => inner.close(),
    )
  }
}
