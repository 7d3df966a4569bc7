import { Window, Windowed } from '../../kstream/windowed.ts'
import type { Serde } from '../../serde/serde.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { WindowStore, WindowStoreIterator } from '../window-store.ts'
import type { BytesStore } from './bytes-store.ts'
import { MeteredStore } from './metered-store.ts'
import type { TypedFlushListener } from './metered-key-value-store.ts'
import type { SegmentedReader } from './segmented-bytes-store.ts'
import { storeKeyKey, storeKeyTimestamp, toStoreKey } from './window-key-schema.ts'

/**
 * Kafka `MeteredWindowStore` over `RocksDBWindowStore`: the typed window store. Keys are stored as
 * [key][window start][seqnum]. Reads go to `reads`, the caching layer or else the segments, which give
 * entries segment by segment, in key order within each, filtered to the key range and the time range
 * (and, for the segments, to the live retention period).
 */
export class MeteredWindowStore<K, V> extends MeteredStore<K, V> implements WindowStore<K, V> {
  readonly windowSizeMs: number
  readonly retainDuplicates: boolean
  readonly #reads: SegmentedReader
  #seqnum = 0

  constructor(
    inner: BytesStore,
    reads: SegmentedReader,
    windowSizeMs: number,
    retainDuplicates: boolean,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    wrapValueSerde?: (serde: Serde<unknown>) => Serde<V>,
  ) {
    super(inner, keySerde, valueSerde, wrapValueSerde)
    this.#reads = reads
    this.windowSizeMs = windowSizeMs
    this.retainDuplicates = retainDuplicates
  }

  #windowed(storeKey: Buffer): Windowed<K> {
    const start = storeKeyTimestamp(storeKey)
    const key = this.deserializeKey(storeKeyKey(storeKey))
    return new Windowed(key, new Window(start, start + this.windowSizeMs))
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.check()
    if (this.retainDuplicates && value === null) return
    // Kafka's sequence number wraps within the positive ints
    const seq = this.retainDuplicates ? (this.#seqnum = (this.#seqnum + 1) & 0x7fffffff) : 0
    const storeKey = toStoreKey(this.serializeKey(key), windowStart, seq)
    const bytes = this.serializeValue(value)
    if (bytes === null) this.inner.delete(storeKey)
    else this.inner.put(storeKey, bytes)
  }

  fetch(key: K, windowStart: number): V | null {
    this.check()
    return this.deserializeValue(this.inner.get(toStoreKey(this.serializeKey(key), windowStart, 0)))
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
    return this.#fetchKeyRange(keyFrom, keyTo, timeFrom, timeTo, false)
  }

  backwardFetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V> {
    return this.#fetchKeyRange(keyFrom, keyTo, timeFrom, timeTo, true)
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.#reads.all(false))
  }

  backwardAll(): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.#reads.all(true))
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.#reads.fetchAll(timeFrom, timeTo, false))
  }

  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.#reads.fetchAll(timeFrom, timeTo, true))
  }

  /** Registers the owner's listener on the caching layer: keys arrive as Windowed, values typed. */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    return this.setBytesFlushListener(
      (key, newValue, oldValue, context) =>
        listener(this.#windowed(key), this.deserializeValue(newValue), this.deserializeValue(oldValue), context),
      sendOldValues,
    )
  }

  #fetchKey(key: K, timeFrom: number, timeTo: number, reverse: boolean): WindowStoreIterator<V> {
    this.check()
    const inner = this.#reads.fetchKey(this.serializeKey(key), timeFrom, timeTo, reverse)
    return new PullIterator<number, V>(
      this.name,
      () => {
        if (!inner.hasNext()) return undefined
        const { key: storeKey, value } = inner.next()
        return { key: storeKeyTimestamp(storeKey), value: this.deserializeValue(value) as V }
      },
      () => inner.close(),
    )
  }

  #fetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFrom: number,
    timeTo: number,
    reverse: boolean,
  ): KeyValueIterator<Windowed<K>, V> {
    this.check()
    const from = keyFrom === null ? undefined : this.serializeKey(keyFrom)
    const to = keyTo === null ? undefined : this.serializeKey(keyTo)
    return this.#windowedIterator(this.#reads.fetchKeyRange(from, to, timeFrom, timeTo, reverse))
  }

  #windowedIterator(inner: KeyValueIterator<Buffer, Buffer>): KeyValueIterator<Windowed<K>, V> {
    return new PullIterator<Windowed<K>, V>(
      this.name,
      () => {
        if (!inner.hasNext()) return undefined
        const { key: storeKey, value } = inner.next()
        return { key: this.#windowed(storeKey), value: this.deserializeValue(value) as V }
      },
      () => inner.close(),
    )
  }
}
