import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'

export type ValueJoinerWithKey<K, V1, V2, VR> = (key: K, value1: V1, value2: V2) => VR

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
  graceMs?: number,
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>
    const getter = table.get()
    let observedStreamTime = -1
    // with a grace period (versioned tables), records wait this long in stream time, in time order, so
    // that table updates arriving out of order are seen (Kafka's time-ordered join buffer)
    const buffer: Record<K, V>[] = []
    const doJoin = (record: Record<K, V>): void => {
      const mappedKey = keyMapper(record.key, record.value)
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
        getter.init(c)
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
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        if (graceMs === undefined) return doJoin(record)
        const cutoff = observedStreamTime - graceMs
        if (record.timestamp < cutoff) return doJoin(record)
        let at = buffer.length
        while (at > 0 && (buffer[at - 1] as Record<K, V>).timestamp > record.timestamp) at--
        buffer.splice(at, 0, record)
        while (buffer.length > 0 && (buffer[0] as Record<K, V>).timestamp <= cutoff)
          doJoin(buffer.shift() as Record<K, V>)
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
