import { Window, Windowed } from '../../kstream/windowed.ts'
import type { Serde } from '../../serde/serde.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { WindowStore, WindowStoreIterator } from '../window-store.ts'
import type { BytesStore } from './bytes-store.ts'
import { MeteredStore } from './metered-store.ts'
import type { TypedFlushListener } from './metered-key-value-store.ts'
import type { SegmentedBytesStore } from './segmented-bytes-store.ts'
import { keyRange, storeKeyKey, storeKeyTimestamp, toStoreKey } from './window-key-schema.ts'

/**
 * Kafka `MeteredWindowStore` over `RocksDBWindowStore`: the typed window store. Keys are stored as
 * [key][window start][seqnum]; a fetch for one key is a range over its windows, filtered to that exact
 * key (a longer key sharing the prefix sorts in between) and to the live retention period.
 */
export class MeteredWindowStore<K, V> extends MeteredStore<K, V> implements WindowStore<K, V> {
  readonly windowSizeMs: number
  readonly retainDuplicates: boolean
  readonly #segments: SegmentedBytesStore
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
    super(inner, keySerde, valueSerde, wrapValueSerde)
    this.#segments = segments
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
    const seq = this.retainDuplicates ? ++this.#seqnum : 0
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
    this.check()
    const from = keyFrom === null ? undefined : toStoreKey(this.serializeKey(keyFrom), Math.max(timeFrom, 0), 0)
    const to = keyTo === null ? undefined : toStoreKey(this.serializeKey(keyTo), timeTo, -1)
    return this.#windowedIterator(this.inner.range(from, to), timeFrom, timeTo)
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.inner.range(undefined, undefined), 0, Number.MAX_SAFE_INTEGER)
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V> {
    this.check()
    return this.#windowedIterator(this.#segments.rangeIn(undefined, undefined, timeFrom, timeTo), timeFrom, timeTo)
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
    const keyBytes = this.serializeKey(key)
    const from = Math.max(timeFrom, this.#segments.minLiveTime())
    const [lo, hi] = keyRange(keyBytes, from, timeTo)
    const inner = this.inner.range(lo, hi, reverse)
    return new PullIterator<number, V>(
      this.name,
      () => {
        while (inner.hasNext()) {
          const { key: storeKey, value } = inner.next()
          if (storeKey.length !== keyBytes.length + 12) continue
          const start = storeKeyTimestamp(storeKey)
          if (start < from || start > timeTo) continue
          return { key: start, value: this.deserializeValue(value) as V }
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
          return { key: this.#windowed(storeKey), value: this.deserializeValue(value) as V }
        }
        return undefined
      },
      () => inner.close(),
    )
  }
}
