import sortedBtree from 'sorted-btree'
import { StreamsException } from '../../errors/streams-exception.ts'
import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { Suppressed } from '../suppressed.ts'
import { Windowed } from '../windowed.ts'
import type { Serde } from '../../serde/serde.ts'
import {
  bufferKeySeq,
  bufferKeyTime,
  FieldReader,
  FieldWriter,
  keyCodec,
  PendingWrites,
  type BufferStore,
  type StoredEntry,
} from './buffer-store.ts'
import { change, type Change } from './change.ts'

// sorted-btree is CommonJS with `exports.default = BTree`; an ESM default import gets `module.exports`.
const BTree = sortedBtree.default

interface Buffered<K, V> extends StoredEntry {
  key: K
  newValue: V | null
  priorValue: V | null
  context: RecordContext
}

/**
 * Kafka `KTableSuppressProcessorSupplier` with its in-memory time-ordered buffer. Each key keeps its
 * latest value, the value it had before it entered the buffer, and the time it entered (window end for
 * `untilWindowCloses`, record time for `untilTimeLimit`). After every record, entries whose time is at
 * or before stream time minus the suppression duration are emitted, oldest first, as
 * `Change(latest, prior)` with the latest update's timestamp and headers. Final-result suppression drops
 * tombstones; a full buffer emits early or fails, as configured.
 */
export function ktableSuppress<K, V>(
  suppressed: Suppressed,
  storeName: string,
  durationMs: number,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): {
  storeName: string
  sendOldValues: boolean
  get(): Processor<K, Change<V>, K, Change<V>>
} {
  const safeToDropTombstones = suppressed.kind === 'untilWindowCloses'
  const { maxRecords, maxBytes, whenFull } = suppressed.bufferConfig
  return {
    storeName,
    sendOldValues: false,
    get() {
      let context: ProcessorContext<K, Change<V>>
      let internal: ProcessorContextImpl
      const buffer = new Map<unknown, Buffered<K, V>>()
      // the same entries in emission order: by buffer time, then by arrival
      const byTime = new BTree<Buffered<K, V>, undefined>(undefined, (a, b) => a.time - b.time || a.seq - b.seq)
      let observedStreamTime = -1
      let seq = 0
      let bytes = 0
      const sizeOf = (entry: Buffered<K, V>): number => 64 + JSON.stringify([entry.newValue, entry.priorValue]).length
      const identity = (key: K): unknown =>
        key instanceof Windowed ? `${String(key.key)}\u0000${key.window.start}\u0000${key.window.end}` : key

      // the store keeps the buffer across restarts: entries by (time, arrival), values with their context
      let writes: PendingWrites<Buffered<K, V>>
      const add = (entry: Buffered<K, V>): void => {
        buffer.set(identity(entry.key), entry)
        byTime.set(entry, undefined)
        bytes += sizeOf(entry)
      }
      const openStore = (c: ProcessorContextImpl): void => {
        const store = c.getStateStore<BufferStore>(storeName)
        const topic = `${c.applicationId}-${storeName}-changelog`
        const keys = keyCodec<K>(keySerde ?? c.requireKeySerde(`the suppression buffer ${storeName}`), topic)
        const values = valueSerde ?? (c.requireValueSerde(`the suppression buffer ${storeName}`) as Serde<V>)
        const serializer = values.serializer()
        const deserializer = values.deserializer()
        writes = new PendingWrites(store, (entry) => {
          const writer = new FieldWriter().context(entry.context)
          keys.write(writer, entry.key)
          writer.bytes(serializer.serialize(topic, entry.newValue)).bytes(serializer.serialize(topic, entry.priorValue))
          return writer.done()
        })
        for (const { key: storeKey, value } of store.all()) {
          const reader = new FieldReader(value)
          const entryContext = reader.context()
          const key = keys.read(reader)
          const newValue = deserializer.deserialize(topic, reader.bytes())
          const priorValue = deserializer.deserialize(topic, reader.bytes())
          const entry = {
            key,
            time: bufferKeyTime(storeKey),
            newValue,
            priorValue,
            context: entryContext,
            seq: bufferKeySeq(storeKey),
            stored: true,
          }
          add(entry)
          seq = Math.max(seq, entry.seq + 1)
        }
      }

      const oldest = (): Buffered<K, V> | undefined => byTime.minKey()
      const emit = (entry: Buffered<K, V>): void => {
        buffer.delete(identity(entry.key))
        byTime.delete(entry)
        writes.remove(entry)
        bytes -= sizeOf(entry)
        if (entry.newValue === null && safeToDropTombstones) return
        const previous = internal.recordContext
        internal.recordContext = entry.context
        try {
          context.forward(
            new Record(
              entry.key,
              change(entry.newValue, entry.priorValue),
              entry.context.timestamp,
              entry.context.headers,
            ),
          )
        } finally {
          internal.recordContext = previous
        }
      }
      const over = (): boolean => buffer.size > maxRecords || bytes > maxBytes

      return {
        init(c) {
          context = c
          internal = c as unknown as ProcessorContextImpl
          openStore(internal)
        },
        process(record) {
          observedStreamTime = Math.max(observedStreamTime, record.timestamp)
          const key = record.key
          const time =
            suppressed.kind === 'untilWindowCloses'
              ? (key as unknown as Windowed<unknown>).window.end
              : record.timestamp
          const id = identity(key)
          const existing = buffer.get(id)
          if (existing) {
            bytes -= sizeOf(existing)
            byTime.delete(existing)
          }
          const entry: Buffered<K, V> = {
            key,
            // a key keeps the time it first entered the buffer, and the value it had before
            time: existing ? existing.time : time,
            newValue: record.value.newValue,
            priorValue: existing ? existing.priorValue : record.value.oldValue,
            context: { ...internal.recordContext, timestamp: record.timestamp, headers: record.headers },
            seq: existing ? existing.seq : seq++,
            stored: false,
          }
          add(entry)
          writes.put(entry, existing)
          const expiry = observedStreamTime - durationMs
          for (let next = oldest(); next && next.time <= expiry; next = oldest()) emit(next)
          if (over()) {
            if (whenFull === 'SHUT_DOWN') {
              throw new StreamsException(
                `${internal.currentNode?.name ?? 'suppress'} buffer exceeded its max capacity. Currently [${buffer.size}/${maxRecords}] records and [${bytes}/${maxBytes}] bytes.`,
              )
            }
            for (let next = oldest(); next && over(); next = oldest()) emit(next)
          }
        },
      }
    },
  }
}
