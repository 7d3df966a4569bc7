import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { ManagedStateStore } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { InvalidStateStoreException } from '../key-value-iterator.ts'
import type { BytesStore, CachedBytesStore, FlushListener } from './bytes-store.ts'

/**
 * What Kafka's `Metered*Store` classes share: the store's serdes (the task's default serdes when none
 * were given; timestamped stores wrap the value serde), the open/closed state, and the typed face of the
 * bytes layers below.
 */
export abstract class MeteredStore<K, V> implements ManagedStateStore {
  readonly name: string
  protected readonly inner: BytesStore
  protected keySerde: Serde<K> | undefined
  protected valueSerde: Serde<V> | undefined
  readonly #wrapValueSerde: ((serde: Serde<unknown>) => Serde<V>) | undefined
  /** The changelog topic name, the `topic` serdes see. */
  protected topic = ''
  #open = false

  constructor(
    inner: BytesStore,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    wrapValueSerde?: (serde: Serde<unknown>) => Serde<V>,
  ) {
    this.name = inner.name
    this.inner = inner
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.#wrapValueSerde = wrapValueSerde
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  /** Whether values carry their timestamp (a timestamped store). */
  get timestamped(): boolean {
    return this.#wrapValueSerde !== undefined
  }

  init(context: ProcessorContextImpl): void {
    this.keySerde ??= context.requireKeySerde(`store ${this.name}`) as Serde<K>
    if (!this.valueSerde) {
      const serde = context.requireValueSerde(`store ${this.name}`)
      this.valueSerde = this.#wrapValueSerde ? this.#wrapValueSerde(serde) : (serde as Serde<V>)
    }
    this.topic = `${context.applicationId}-${this.name}-changelog`
    this.inner.init(context)
    this.#open = true
  }

  isOpen(): boolean {
    return this.#open
  }

  protected check(): void {
    if (!this.#open) throw new InvalidStateStoreException(`Store ${this.name} is currently closed.`)
  }

  serializeKey(key: K): Buffer {
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: a key may not be null`)
    const bytes = (this.keySerde as Serde<K>).serializer().serialize(this.topic, key)
    if (bytes === null) throw new TypeError(`store ${this.name}: a key may not be null`)
    return bytes
  }

  deserializeKey(bytes: Buffer): K {
    return (this.keySerde as Serde<K>).deserializer().deserialize(this.topic, bytes) as K
  }

  serializeValue(value: V | null): Buffer | null {
    return value === null ? null : (this.valueSerde as Serde<V>).serializer().serialize(this.topic, value)
  }

  deserializeValue(bytes: Buffer | undefined | null): V | null {
    return bytes === undefined || bytes === null
      ? null
      : (this.valueSerde as Serde<V>).deserializer().deserialize(this.topic, bytes)
  }

  /** Runs before each flush: a processor that holds writes back (a time-ordered buffer) puts them in. */
  beforeFlush: (() => void) | undefined

  flush(): void {
    this.beforeFlush?.()
    this.inner.flush()
  }

  close(): void {
    if (!this.#open) return
    this.#open = false
    this.inner.close()
  }

  /** Registers a listener on the caching layer, if there is one; false when the store has no cache. */
  protected setBytesFlushListener(listener: FlushListener, sendOldValues: boolean): boolean {
    const inner = this.inner as Partial<CachedBytesStore>
    if (typeof inner.setFlushListener !== 'function') return false
    return inner.setFlushListener(listener, sendOldValues)
  }
}
