import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts'

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
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>
    const getter = table.get()
    return {
      init(c) {
        context = c
        getter.init(c)
      },
      process(record: Record<K, V>) {
        const { key, value } = record
        const mappedKey = keyMapper(key, value)
        const nullKeyLeftJoin = leftJoin && (key === null || key === undefined) && value !== null && value !== undefined
        if (
          !nullKeyLeftJoin &&
          (mappedKey === null || mappedKey === undefined || value === null || value === undefined)
        ) {
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        const found = mappedKey === null || mappedKey === undefined ? null : getter.get(mappedKey)
        const other = found === null ? null : found.value
        if (leftJoin || other !== null) context.forward(record.withValue(joiner(key, value, other)))
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
