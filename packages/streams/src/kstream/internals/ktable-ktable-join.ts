import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import { change, type Change } from './change.ts'
import type { ValueJoinerWithKey } from './kstream-ktable-join.ts'
import type { KTableValueGetterSupplier } from './ktable-value-getter.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

/** Which rows a table-table join keeps: both sides (inner), this side (left), the other (right), either (outer). */
export type TableJoinKind = 'inner' | 'left' | 'right' | 'outer'

/**
 * Kafka `KTableKTableInnerJoin` / `LeftJoin` / `RightJoin` / `OuterJoin`: one side's change looks up the
 * other side's current value and forwards the joined change, stamped with the later of the two
 * timestamps. `joiner` is (key, this side's value, other side's value); the right join is the other side
 * of a left join, so its joiner is reversed by the caller. Null keys are dropped, and so are out-of-order
 * updates when this side is a versioned table.
 */
export function ktableKTableJoin<K, V, VO, VR>(
  other: KTableValueGetterSupplier<K, VO>,
  joiner: ValueJoinerWithKey<K, V | null, VO | null, VR>,
  kind: TableJoinKind,
  sendOldValues: () => boolean,
  versioned: boolean,
): () => Processor<K, Change<V>, K, Change<VR>> {
  return () => {
    let context: ProcessorContext<K, Change<VR>>
    const getter = other.get()
    return {
      init(c) {
        context = c
        getter.init(c)
      },
      process(record: Record<K, Change<V>>) {
        if (record.key === null || record.key === undefined) {
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        const { newValue, oldValue, isLatest } = record.value
        // an out-of-order update of a versioned table does not join (KIP-914)
        if (versioned && !isLatest) {
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        const found = getter.get(record.key)
        const otherValue = found === null ? null : found.value
        const withOld = sendOldValues()
        let timestamp: number
        let joinedNew: VR | null = null
        let joinedOld: VR | null = null
        switch (kind) {
          case 'inner':
          case 'right':
            if (otherValue === null) return
            timestamp = Math.max(record.timestamp, (found as ValueAndTimestamp<VO>).timestamp)
            if (kind === 'right') {
              joinedNew = joiner(record.key, newValue, otherValue)
              if (withOld) joinedOld = joiner(record.key, oldValue, otherValue)
            } else {
              if (newValue !== null) joinedNew = joiner(record.key, newValue, otherValue)
              if (withOld && oldValue !== null) joinedOld = joiner(record.key, oldValue, otherValue)
            }
            break
          case 'left':
            if (otherValue === null && newValue === null && oldValue === null) return
            timestamp = found === null ? record.timestamp : Math.max(record.timestamp, found.timestamp)
            if (newValue !== null) joinedNew = joiner(record.key, newValue, otherValue)
            if (withOld && oldValue !== null) joinedOld = joiner(record.key, oldValue, otherValue)
            break
          case 'outer':
            if (otherValue === null && newValue === null && oldValue === null) return
            timestamp = found === null ? record.timestamp : Math.max(record.timestamp, found.timestamp)
            if (otherValue !== null || newValue !== null) joinedNew = joiner(record.key, newValue, otherValue)
            if (withOld && (otherValue !== null || oldValue !== null))
              joinedOld = joiner(record.key, oldValue, otherValue)
            break
        }
        context.forward(record.withValue(change(joinedNew, joinedOld, isLatest)).withTimestamp(timestamp))
      },
    }
  }
}

/**
 * Kafka `KTableKTableJoinMerger`: unites both sides' joined changes; with a store, keeps the result (a
 * null result deletes) and forwards through the store's cache.
 */
export function ktableKTableJoinMerger<K, VR>(
  storeName: string | undefined,
): {
  storeName: string | undefined
  sendOldValues: boolean
  get(): Processor<K, Change<VR>, K, Change<VR>>
} {
  const supplier = {
    storeName,
    sendOldValues: false,
    get(): Processor<K, Change<VR>, K, Change<VR>> {
      let context: ProcessorContext<K, Change<VR>>
      let store: MeteredKeyValueStore<K, ValueAndTimestamp<VR>> | undefined
      let forwarder: TimestampedTupleForwarder<K, VR> | undefined
      return {
        init(c) {
          context = c
          if (storeName !== undefined) {
            const opened = c.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<VR>>>(storeName)
            store = opened
            forwarder = new TimestampedTupleForwarder(opened, c, supplier.sendOldValues)
          }
        },
        process(record) {
          if (store && forwarder) {
            const { newValue } = record.value
            store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp })
            forwarder.maybeForward(record)
          } else {
            context.forward(
              supplier.sendOldValues
                ? record
                : record.withValue(change(record.value.newValue, null, record.value.isLatest)),
            )
          }
        },
      }
    },
  }
  return supplier
}
