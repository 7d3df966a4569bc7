import { Headers } from '../../header/headers.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { ManagedStateStore } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { InvalidStateStoreException } from '../key-value-iterator.ts'
import {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from '../versioned-key-value-store.ts'
import { AbstractStoreBuilder } from './abstract-store-builder.ts'
import type { BytesEngine } from './bytes-engine.ts'

/** Where a versioned store keeps its bytes (Kafka `VersionedBytesStoreSupplier`). */
export interface VersionedBytesStoreSupplier {
  readonly name: string
  readonly persistent: boolean
  readonly historyRetentionMs: number
  open(context: ProcessorContextImpl): BytesEngine
}

export function persistentVersionedSupplier(name: string, historyRetentionMs: number): VersionedBytesStoreSupplier {
  if (historyRetentionMs < 0) throw new RangeError(`historyRetention of versioned store ${name} cannot be negative`)
  return { name, persistent: true, historyRetentionMs, open: (context) => context.persistentEngine(name) }
}

const noHeaders = new Headers()
const TOMBSTONE = 0
const VALUE = 1

/** [key][8-byte validFrom]: a key's versions sort by time. */
function versionKey(key: Buffer, validFrom: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + 8)
  key.copy(out, 0)
  out.writeBigInt64BE(BigInt(validFrom), key.length)
  return out
}

interface Version {
  readonly validFrom: number
  readonly value: Buffer | null
}

/**
 * Kafka's versioned key-value store (`RocksDBVersionedStore` semantics on our engines): every version
 * of a key is stored under [key][validFrom] with a tombstone flag; a version is valid until the next
 * one's validFrom. Versions that ended before observed stream time minus the history retention are
 * dropped, and puts older than that are refused. Each put is written to the changelog as
 * (key, value, timestamp = validFrom), which is also how Kafka logs versioned stores.
 */
export class MeteredVersionedKeyValueStore<K, V> implements VersionedKeyValueStore<K, V>, ManagedStateStore {
  readonly name: string
  readonly persistent: boolean
  readonly historyRetentionMs: number
  readonly #supplier: VersionedBytesStoreSupplier
  readonly #logging: boolean
  #keySerde: Serde<K> | undefined
  #valueSerde: Serde<V> | undefined
  #engine: BytesEngine | undefined
  #context!: ProcessorContextImpl
  #topic = ''
  #observed = -1

  constructor(
    supplier: VersionedBytesStoreSupplier,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    logging: boolean,
  ) {
    this.name = supplier.name
    this.persistent = supplier.persistent
    this.historyRetentionMs = supplier.historyRetentionMs
    this.#supplier = supplier
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#logging = logging
  }

  init(context: ProcessorContextImpl): void {
    this.#keySerde ??= context.requireKeySerde(`store ${this.name}`) as Serde<K>
    this.#valueSerde ??= context.requireValueSerde(`store ${this.name}`) as Serde<V>
    this.#context = context
    this.#topic = `${context.applicationId}-${this.name}-changelog`
    this.#engine = this.#supplier.open(context)
    if (this.#logging) {
      context.registerChangelog(this.#topic, this.persistent, (key, value, timestamp) => {
        this.#putBytes(key, value, timestamp, false)
      })
    }
  }

  isOpen(): boolean {
    return this.#engine !== undefined
  }

  #open(): BytesEngine {
    if (!this.#engine) throw new InvalidStateStoreException(`Store ${this.name} is currently closed.`)
    return this.#engine
  }

  #key(key: K): Buffer {
    const bytes = (this.#keySerde as Serde<K>).serializer().serialize(this.#topic, key)
    if (bytes === null) throw new TypeError(`store ${this.name}: a key may not be null`)
    return bytes
  }

  /** The key's versions, oldest first. */
  #versions(keyBytes: Buffer): Version[] {
    const versions: Version[] = []
    const iterator = this.#open().range(versionKey(keyBytes, 0), versionKey(keyBytes, Number.MAX_SAFE_INTEGER))
    try {
      while (iterator.hasNext()) {
        const { key, value } = iterator.next()
        if (key.length !== keyBytes.length + 8) continue
        versions.push({
          validFrom: Number(key.readBigInt64BE(keyBytes.length)),
          value: value[0] === VALUE ? value.subarray(1) : null,
        })
      }
    } finally {
      iterator.close()
    }
    return versions
  }

  #record(versions: Version[], index: number): VersionedRecord<V> | null {
    const version = versions[index]
    if (!version || version.value === null) return null
    const value = (this.#valueSerde as Serde<V>).deserializer().deserialize(this.#topic, version.value) as V
    return { value, timestamp: version.validFrom, validTo: versions[index + 1]?.validFrom }
  }

  put(key: K, value: V | null, timestamp: number): number {
    const keyBytes = this.#key(key)
    const valueBytes = value === null ? null : (this.#valueSerde as Serde<V>).serializer().serialize(this.#topic, value)
    return this.#putBytes(keyBytes, valueBytes, timestamp, this.#logging)
  }

  #putBytes(keyBytes: Buffer, valueBytes: Buffer | null, timestamp: number, log: boolean): number {
    const engine = this.#open()
    this.#observed = Math.max(this.#observed, timestamp)
    const minValid = this.#observed - this.historyRetentionMs
    if (timestamp < minValid) return PUT_RETURN_CODE_NOT_PUT
    const stored = valueBytes === null ? Buffer.of(TOMBSTONE) : Buffer.concat([Buffer.of(VALUE), valueBytes])
    engine.put(versionKey(keyBytes, timestamp), stored)
    if (log) {
      this.#context.collector.send(
        this.#topic,
        keyBytes,
        valueBytes,
        noHeaders,
        timestamp,
        this.#context.taskId.partition,
      )
    }
    const versions = this.#versions(keyBytes)
    // versions that ended before the history retention can no longer be read: drop them
    for (let i = 0; i + 1 < versions.length && (versions[i + 1] as Version).validFrom <= minValid; i++) {
      engine.delete(versionKey(keyBytes, (versions[i] as Version).validFrom))
    }
    const next = versions.find((v) => v.validFrom > timestamp)
    return next === undefined ? PUT_RETURN_CODE_VALID_TO_UNDEFINED : next.validFrom
  }

  delete(key: K, timestamp: number): VersionedRecord<V> | null {
    const previous = this.get(key, timestamp)
    this.put(key, null, timestamp)
    return previous
  }

  get(key: K, asOfTimestamp?: number): VersionedRecord<V> | null {
    const versions = this.#versions(this.#key(key))
    if (asOfTimestamp === undefined) return this.#record(versions, versions.length - 1)
    if (asOfTimestamp < this.#observed - this.historyRetentionMs) return null
    let index = -1
    for (let i = 0; i < versions.length && (versions[i] as Version).validFrom <= asOfTimestamp; i++) index = i
    return index < 0 ? null : this.#record(versions, index)
  }

  flush(): void {
    if (!this.persistent) this.#engine?.flush()
  }

  close(): void {
    this.#engine?.close()
    this.#engine = undefined
  }
}

/** Kafka `VersionedKeyValueStoreBuilder`: logging on by default; versioned stores never cache. */
export class VersionedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredVersionedKeyValueStore<K, V>> {
  readonly #supplier: VersionedBytesStoreSupplier
  readonly #keySerde: Serde<K> | undefined
  readonly #valueSerde: Serde<V> | undefined

  constructor(supplier: VersionedBytesStoreSupplier, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined) {
    super(supplier.name)
    this.#supplier = supplier
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
  }

  /** Versioned stores never cache (as in Kafka). */
  override withCachingEnabled(): this {
    throw new TypeError(`versioned store ${this.name} cannot be cached`)
  }

  override logConfig(): { readonly [key: string]: string } {
    return { 'min.compaction.lag.ms': String(this.#supplier.historyRetentionMs + 86_400_000), ...this.topicConfig }
  }

  build(): MeteredVersionedKeyValueStore<K, V> {
    return new MeteredVersionedKeyValueStore<K, V>(this.#supplier, this.#keySerde, this.#valueSerde, this.logging)
  }
}
