import sortedBtree from 'sorted-btree'
import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { Serde } from '../../serde/serde.ts'
import {
  bufferKeySeq,
  FieldReader,
  FieldWriter,
  keyCodec,
  PendingWrites,
  type BufferStore,
  type StoredEntry,
} from './buffer-store.ts'
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'

export type ValueJoinerWithKey<K, V1, V2, VR> = (key: K, value1: V1, value2: V2) => VR

// sorted-btree is CommonJS with `exports.default = BTree`; an ESM default import gets `module.exports`.
const BTree = sortedBtree.default

interface Waiting<K, V> extends StoredEntry {
  readonly record: Record<K, V>
  readonly context: RecordContext
}

/** The grace-period buffer of a stream-table join: its store, and the serdes of the stream's records. */
export interface JoinBuffer<K, V> {
  readonly graceMs: number
  readonly storeName: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
}

/**
 * Kafka `KStreamKTableJoin` and `KStreamGlobalKTableJoin`: each stream record looks up the table's
 * current value under the key `keyMapper` computes (the record's key for a KTable). An inner join
 * forwards only when the table has a value; a left join always does, with null. Records with a null
 * value, or whose join key is null, are dropped — except that a left join forwards a null-key record
 * with a null table value (KIP-962). The output keeps the stream record's key, timestamp and headers.
 */
export function kstreamKTableJoin<K, V, KT, VT, VR>(
  table: KTableValueGetterSupplier<KT, VT>,
  keyMapper: (key: K, value: V) => KT | null,
  joiner: ValueJoinerWithKey<K, V, VT | null, VR>,
  leftJoin: boolean,
  buffered?: JoinBuffer<K, V>,
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>
    let internal: ProcessorContextImpl
    const getter = table.get()
    let observedStreamTime = -1
    // with a grace period (versioned tables), records wait this long in stream time, in time order, so
    // that table updates arriving out of order are seen (Kafka's time-ordered join buffer); the store
    // keeps them across restarts
    const buffer = new BTree<Waiting<K, V>, undefined>(undefined, (a, b) => a.time - b.time || a.seq - b.seq)
    let seq = 0
    let writes: PendingWrites<Waiting<K, V>>
    const openBuffer = (c: ProcessorContextImpl, options: JoinBuffer<K, V>): void => {
      const store = c.getStateStore<BufferStore>(options.storeName)
      const topic = `${c.applicationId}-${options.storeName}-changelog`
      const keys = keyCodec<K>(options.keySerde ?? c.requireKeySerde(`the join buffer ${options.storeName}`), topic)
      const values = options.valueSerde ?? (c.requireValueSerde(`the join buffer ${options.storeName}`) as Serde<V>)
      const serializer = values.serializer()
      const deserializer = values.deserializer()
      writes = new PendingWrites(store, ({ record, context }) => {
        const writer = new FieldWriter().context(context)
        keys.write(writer, record.key)
        return writer.bytes(serializer.serialize(topic, record.value)).done()
      })
      for (const { key, value } of store.all()) {
        const reader = new FieldReader(value)
        const context = reader.context()
        const recordKey = keys.read(reader)
        const recordValue = deserializer.deserialize(topic, reader.bytes()) as V
        const record = new Record(recordKey, recordValue, context.timestamp, context.headers)
        const waiting = { record, context, time: context.timestamp, seq: bufferKeySeq(key), stored: true }
        buffer.set(waiting, undefined)
        seq = Math.max(seq, waiting.seq + 1)
      }
    }
    const doJoin = (record: Record<K, V>, mappedKey: KT | null = keyMapper(record.key, record.value)): void => {
      let found: ValueAndTimestamp<VT> | null = null
      if (mappedKey !== null && mappedKey !== undefined) {
        // a versioned table is read as of the stream record's time
        found = getter.getAsOf ? getter.getAsOf(mappedKey, record.timestamp) : getter.get(mappedKey)
      }
      const other = found === null ? null : found.value
      if (leftJoin || other !== null) context.forward(record.withValue(joiner(record.key, record.value, other)))
    }
    return {
      init(c) {
        context = c
        internal = c as unknown as ProcessorContextImpl
        getter.init(c)
        if (buffered) openBuffer(internal, buffered)
      },
      process(record: Record<K, V>) {
        const { key, value } = record
        observedStreamTime = Math.max(observedStreamTime, record.timestamp)
        const mappedKey = keyMapper(key, value)
        const nullKeyLeftJoin = leftJoin && (key === null || key === undefined) && value !== null && value !== undefined
        if (
          !nullKeyLeftJoin &&
          (mappedKey === null || mappedKey === undefined || value === null || value === undefined)
        ) {
          internal.droppedRecords++
          return
        }
        if (!buffered) return doJoin(record, mappedKey)
        const cutoff = observedStreamTime - buffered.graceMs
        if (record.timestamp < cutoff) return doJoin(record, mappedKey)
        const entering = { record, context: internal.recordContext, time: record.timestamp, seq: seq++, stored: false }
        buffer.set(entering, undefined)
        writes.put(entering)
        const current = internal.recordContext
        try {
          for (let next = buffer.minKey(); next && next.time <= cutoff; next = buffer.minKey()) {
            buffer.delete(next)
            writes.remove(next)
            // a joined record carries the topic, partition and offset of the record that waited
            internal.recordContext = next.context
            doJoin(next.record)
          }
        } finally {
          internal.recordContext = current
        }
      },
    }
  }
}

/** Java's `ValueJoiner` (two values) and `ValueJoinerWithKey` (key first): a joiner declaring three parameters gets the key. */
export function joinerWithKey<K, V1, V2, VR>(
  joiner: ((value1: V1, value2: V2) => VR) | ValueJoinerWithKey<K, V1, V2, VR>,
): ValueJoinerWithKey<K, V1, V2, VR> {
  if (joiner.length >= 3) return joiner as ValueJoinerWithKey<K, V1, V2, VR>
  const plain = joiner as (value1: V1, value2: V2) => VR
  return (_key, value1, value2) => plain(value1, value2)
}
