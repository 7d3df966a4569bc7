import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { TimestampedKeyValueStore } from '../../state/key-value-store.ts'
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import { change, type Change } from './change.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

export type Initializer<VA> = () => VA
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA
export type Reducer<V> = (aggregate: V, value: V) => V

/** A processor supplier whose output can be switched to carry old values (Kafka `KStreamAggProcessorSupplier`). */
export interface AggregateSupplier<KIn, VIn, KOut, VOut> {
  readonly storeName: string
  sendOldValues: boolean
  get(): Processor<KIn, VIn, KOut, Change<VOut>>
}

/**
 * Kafka `KStreamAggregate` (and `KStreamReduce` when `initializer` is undefined): folds each record into
 * its key's aggregate in a timestamped store; the result's timestamp is the max of the record's and the
 * aggregate's. Records with a null key or value are dropped. Forwards `Change(new, old)` at once, or on
 * cache flush when the store caches.
 */
export function kstreamAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA> | undefined,
  aggregator: Aggregator<K, V, VA>,
): AggregateSupplier<K, V, K, VA> {
  const supplier: AggregateSupplier<K, V, K, VA> = {
    storeName,
    sendOldValues: false,
    get() {
      let context: ProcessorContext<K, Change<VA>>
      let store: TimestampedKeyValueStore<K, VA>
      let forwarder: TimestampedTupleForwarder<K, VA>
      return {
        init(c) {
          context = c
          store = c.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<VA>> & TimestampedKeyValueStore<K, VA>>(
            storeName,
          )
          forwarder = new TimestampedTupleForwarder(
            store as MeteredKeyValueStore<K, ValueAndTimestamp<VA>>,
            context,
            supplier.sendOldValues,
          )
        },
        process(record: Record<K, V>) {
          if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
            ;(context as unknown as { droppedRecords: number }).droppedRecords++
            return
          }
          const old = store.get(record.key)
          let oldAgg: VA | null = old === null ? null : old.value
          let newAgg: VA
          let timestamp: number
          if (oldAgg === null) {
            timestamp = record.timestamp
            if (initializer) {
              oldAgg = initializer()
              newAgg = aggregator(record.key, record.value, oldAgg)
            } else {
              newAgg = record.value as unknown as VA
            }
          } else {
            timestamp = Math.max(record.timestamp, (old as ValueAndTimestamp<VA>).timestamp)
            newAgg = aggregator(record.key, record.value, oldAgg)
          }
          store.put(record.key, { value: newAgg, timestamp })
          forwarder.maybeForward(
            record.withValue(change(newAgg, supplier.sendOldValues ? oldAgg : null)).withTimestamp(timestamp),
          )
        },
      }
    },
  }
  return supplier
}

/** Kafka `KStreamReduce`: the first value starts the aggregate, the reducer folds the rest in. */
export function kstreamReduce<K, V>(storeName: string, reducer: Reducer<V>): AggregateSupplier<K, V, K, V> {
  return kstreamAggregate<K, V, V>(storeName, undefined, (_key, value, aggregate) => reducer(aggregate, value))
}
