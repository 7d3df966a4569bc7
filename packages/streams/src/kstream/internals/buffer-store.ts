import { Headers } from '../../header/headers.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { Serde } from '../../serde/serde.ts'
import { Serdes } from '../../serde/serdes.ts'
import { inMemorySupplier, KeyValueStoreBuilder } from '../../state/internals/key-value-store-builder.ts'
import { dslKeyValueSupplier } from './materialize.ts'
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.ts'
import { Window, Windowed } from '../windowed.ts'

/**
 * The store behind a time-ordered buffer (the suppression buffer, a stream-table join's grace buffer):
 * bytes to bytes, logged to its changelog, so that what the buffer holds at a commit survives a
 * restart. The processor keeps its working copy in memory and writes its changes here when the store
 * flushes (`PendingWrites`); on init it reads the store back. As in Kafka, the suppression buffer's store is in
 * memory (rebuilt from its changelog) and the join buffer's is on the default DSL engine.
 */
export function bufferStore(name: string, persistent: boolean): KeyValueStoreBuilder<Buffer, Buffer> {
  const supplier = persistent ? dslKeyValueSupplier(name) : inMemorySupplier(name)
  return new KeyValueStoreBuilder<Buffer, Buffer>(supplier, Serdes.Bytes(), Serdes.Bytes(), false).withLoggingEnabled(
    {},
  )
}

export type BufferStore = MeteredKeyValueStore<Buffer, Buffer>

/** A buffer entry as its store knows it: its position, and whether the store holds it yet. */
export interface StoredEntry {
  readonly time: number
  readonly seq: number
  stored: boolean
}

/**
 * A buffer's changes waiting for the next flush (commit), as Kafka's buffers log their dirty keys
 * then: an entry written and emitted between two commits never reaches the store or its changelog.
 */
export class PendingWrites<E extends StoredEntry> {
  readonly #pending = new Map<E, boolean>()

  constructor(store: BufferStore, encode: (entry: E) => Buffer) {
    store.beforeFlush = () => {
      for (const [entry, write] of this.#pending) {
        const key = bufferKey(entry.time, entry.seq)
        if (write) {
          store.put(key, encode(entry))
          entry.stored = true
        } else store.delete(key)
      }
      this.#pending.clear()
    }
  }

  /** A new entry, or one replacing `replaced` at the same position. */
  put(entry: E, replaced?: E): void {
    if (replaced) {
      this.#pending.delete(replaced)
      entry.stored = replaced.stored
    }
    this.#pending.set(entry, true)
  }

  remove(entry: E): void {
    if (entry.stored) this.#pending.set(entry, false)
    else this.#pending.delete(entry)
  }
}

const SIGN = 1n << 63n

/** A buffer entry's store key: time then arrival number, big-endian, so the store's order is the buffer's. */
export function bufferKey(time: number, seq: number): Buffer {
  const key = Buffer.allocUnsafe(16)
  key.writeBigUInt64BE(BigInt(time) + SIGN, 0)
  key.writeBigUInt64BE(BigInt(seq), 8)
  return key
}

export function bufferKeyTime(key: Buffer): number {
  return Number(key.readBigUInt64BE(0) - SIGN)
}

export function bufferKeySeq(key: Buffer): number {
  return Number(key.readBigUInt64BE(8))
}

/** Writes length-prefixed fields (-1 for null). */
export class FieldWriter {
  readonly #parts: Buffer[] = []

  long(n: number): this {
    const b = Buffer.allocUnsafe(8)
    b.writeBigInt64BE(BigInt(n))
    this.#parts.push(b)
    return this
  }

  int(n: number): this {
    const b = Buffer.allocUnsafe(4)
    b.writeInt32BE(n)
    this.#parts.push(b)
    return this
  }

  bytes(value: Buffer | null): this {
    this.int(value === null ? -1 : value.length)
    if (value !== null) this.#parts.push(value)
    return this
  }

  string(value: string | null): this {
    return this.bytes(value === null ? null : Buffer.from(value, 'utf8'))
  }

  /** A record's context: where it came from, its timestamp and headers. */
  context(context: RecordContext): this {
    this.long(context.timestamp).string(context.topic).int(context.partition).long(context.offset)
    this.int(context.headers.size)
    for (const header of context.headers) this.string(header.key).bytes(header.value)
    return this
  }

  done(): Buffer {
    return Buffer.concat(this.#parts)
  }
}

export class FieldReader {
  readonly #data: Buffer
  #at = 0

  constructor(data: Buffer) {
    this.#data = data
  }

  long(): number {
    const n = Number(this.#data.readBigInt64BE(this.#at))
    this.#at += 8
    return n
  }

  int(): number {
    const n = this.#data.readInt32BE(this.#at)
    this.#at += 4
    return n
  }

  bytes(): Buffer | null {
    const length = this.int()
    if (length < 0) return null
    const value = this.#data.subarray(this.#at, this.#at + length)
    this.#at += length
    return value
  }

  string(): string | null {
    const value = this.bytes()
    return value === null ? null : value.toString('utf8')
  }

  context(): RecordContext {
    const timestamp = this.long()
    const topic = this.string()
    const partition = this.int()
    const offset = this.long()
    const headers = new Headers()
    for (let count = this.int(); count > 0; count--) headers.add(this.string() ?? '', this.bytes())
    return { timestamp, topic, partition, offset, headers }
  }
}

/**
 * A buffered record's key as bytes: a windowed key (a windowed aggregation's table) as its inner key's
 * bytes with the window's bounds, any other key through the serde.
 */
export function keyCodec<K>(
  serde: Serde<unknown>,
  topic: string,
): {
  write(writer: FieldWriter, key: K): void
  read(reader: FieldReader): K
} {
  const serializer = serde.serializer()
  const deserializer = serde.deserializer()
  return {
    write(writer, key) {
      if (key instanceof Windowed) {
        writer.int(1).bytes(serializer.serialize(topic, key.key)).long(key.window.start).long(key.window.end)
      } else {
        writer.int(0).bytes(serializer.serialize(topic, key))
      }
    },
    read(reader) {
      const windowed = reader.int() === 1
      const inner = deserializer.deserialize(topic, reader.bytes())
      if (!windowed) return inner as K
      const start = reader.long()
      return new Windowed(inner, new Window(start, reader.long())) as K
    },
  }
}
