import { StreamsException } from '../../errors/streams-exception.ts'
import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { KeyValueMapper } from '../functions.ts'
import { toKeyValue, type KeyValueLike } from '../key-value.ts'
import { change, type Change } from './change.ts'
import type { AggregateSupplier, Aggregator, Initializer, Reducer } from './kstream-aggregate.ts'
import { forwardingProcessor } from './forwarding-processor.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

/**
 * Kafka `KTableRepartitionMap`: maps each table change to the new grouping key. The old value's pair is
 * sent first (to be subtracted), then the new value's (to be added); when both map to the same key they
 * travel as one change. Pairs with a null key or value are not sent.
 */
export function ktableRepartitionMap<K, V, KR, VR>(
  mapper: KeyValueMapper<K, V, KeyValueLike<KR, VR>>,
  versioned: boolean,
): () => Processor<K, Change<V>, KR, Change<VR>> {
  return forwardingProcessor<K, Change<V>, KR, Change<VR>>((record, context) => {
    if (record.key === null || record.key === undefined)
      throw new StreamsException('Record key for the grouping KTable should not be null.')
    const { newValue, oldValue, isLatest } = record.value
    // the aggregate of a versioned table counts only its latest values: out-of-order updates stop here
    if (versioned && !isLatest) return
    const newPair = newValue === null ? null : toKeyValue(mapper(record.key, newValue))
    const oldPair = oldValue === null ? null : toKeyValue(mapper(record.key, oldValue))
    const oldOk =
      oldPair !== null &&
      oldPair.key !== null &&
      oldPair.key !== undefined &&
      oldPair.value !== null &&
      oldPair.value !== undefined
    const newOk =
      newPair !== null &&
      newPair.key !== null &&
      newPair.key !== undefined &&
      newPair.value !== null &&
      newPair.value !== undefined
    if (oldOk && newOk && sameKey(oldPair.key, newPair.key)) {
      context.forward(record.withKey(oldPair.key).withValue(change(newPair.value, oldPair.value, isLatest)))
      return
    }
    if (oldOk) context.forward(record.withKey(oldPair.key).withValue(change<VR>(null, oldPair.value, isLatest)))
    if (newOk) context.forward(record.withKey(newPair.key).withValue(change<VR>(newPair.value, null, isLatest)))
  })
}

/** Java's `equals` for grouping keys: structural for buffers, identity otherwise. */
function sameKey(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b)
  return a === b
}

/**
 * Kafka `KTableAggregate` (and `KTableReduce` when `initializer` is undefined): for each change, the
 * subtractor removes the old value from the key's aggregate, then the adder adds the new one. The
 * timestamp is the max of the record's and the aggregate's; a null aggregate deletes the key.
 */
export function ktableAggregate<K, V, VA>(
  storeName: string,
  initializer: Initializer<VA> | undefined,
  adder: Aggregator<K, V, VA>,
  subtractor: Aggregator<K, V, VA>,
): AggregateSupplier<K, Change<V>, K, VA> {
  const supplier: AggregateSupplier<K, Change<V>, K, VA> = {
    storeName,
    sendOldValues: false,
    get(): Processor<K, Change<V>, K, Change<VA>> {
      let store: MeteredKeyValueStore<K, ValueAndTimestamp<VA>>
      let forwarder: TimestampedTupleForwarder<K, VA>
      return {
        init(c: ProcessorContext<K, Change<VA>>) {
          store = c.getStateStore(storeName)
          forwarder = new TimestampedTupleForwarder(store, c, supplier.sendOldValues)
        },
        process(record: Record<K, Change<V>>) {
          if (record.key === null || record.key === undefined) {
            throw new StreamsException(
              `Record key for KTable aggregate operator with state ${storeName} should not be null.`,
            )
          }
          const old = store.get(record.key)
          const oldAgg = old === null ? null : old.value
          let intermediate: VA | null
          let timestamp = record.timestamp
          const { newValue, oldValue } = record.value
          if (oldValue !== null && oldAgg !== null) {
            intermediate = subtractor(record.key, oldValue, oldAgg)
            timestamp = Math.max(record.timestamp, (old as ValueAndTimestamp<VA>).timestamp)
          } else {
            intermediate = oldAgg
          }
          let newAgg: VA | null
          if (newValue !== null) {
            if (intermediate === null) {
              newAgg = initializer ? adder(record.key, newValue, initializer()) : (newValue as unknown as VA)
              if (initializer && old !== null) timestamp = Math.max(record.timestamp, old.timestamp)
            } else {
              newAgg = adder(record.key, newValue, intermediate)
              if (old !== null) timestamp = Math.max(record.timestamp, old.timestamp)
            }
          } else {
            newAgg = intermediate
          }
          store.put(record.key, newAgg === null ? null : { value: newAgg, timestamp })
          forwarder.maybeForward(
            record.withValue(change(newAgg, supplier.sendOldValues ? oldAgg : null)).withTimestamp(timestamp),
          )
        },
      }
    },
  }
  return supplier
}

/** Kafka `KTableReduce`: the first value starts the aggregate; adder and subtractor are reducers. */
export function ktableReduce<K, V>(
  storeName: string,
  adder: Reducer<V>,
  subtractor: Reducer<V>,
): AggregateSupplier<K, Change<V>, K, V> {
  return ktableAggregate<K, V, V>(
    storeName,
    undefined,
    (_k, value, aggregate) => adder(aggregate, value),
    (_k, value, aggregate) => subtractor(aggregate, value),
  )
}
