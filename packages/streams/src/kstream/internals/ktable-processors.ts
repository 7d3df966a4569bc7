import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { MeteredKeyValueStore } from '../../state/internals/metered-key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import { change, type Change } from './change.ts'
import { MeteredVersionedKeyValueStore } from '../../state/internals/versioned-store.ts'
import { PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED } from '../../state/versioned-key-value-store.ts'
import { forwardingProcessor } from './forwarding-processor.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

/**
 * A KTable operator's supplier: which store (if any) materializes its result, and whether downstream
 * asked for old values. Downstream operators flip these before the topology is built.
 */
export interface KTableProcessorSupplier<KIn, VIn, VOut> {
  storeName: string | undefined
  sendOldValues: boolean
  get(): Processor<KIn, Change<VIn> | VIn, KIn, Change<VOut>>
}

type Store<K, V> = MeteredKeyValueStore<K, ValueAndTimestamp<V>>

function dropped(context: ProcessorContext<unknown, unknown>): void {
  ;(context as unknown as { droppedRecords: number }).droppedRecords++
}

/**
 * Kafka `KTableSource`: turns a topic's records into table updates. Null keys are dropped. When the
 * table is materialized the update goes to the store and forwards `Change(new, old)` (on cache flush
 * when cached); otherwise it forwards `Change(new, null)` at once.
 */
export function ktableSource<K, V>(
  storeName: string | undefined,
): KTableProcessorSupplier<K, V, V> & { materialize(name: string): void } {
  const supplier = {
    storeName,
    sendOldValues: false,
    materialize(name: string) {
      supplier.storeName ??= name
    },
    get(): Processor<K, V, K, Change<V>> {
      let context: ProcessorContext<K, Change<V>>
      let store: Store<K, V> | undefined
      let versioned: MeteredVersionedKeyValueStore<K, V> | undefined
      let forwarder: TimestampedTupleForwarder<K, V> | undefined
      return {
        init(c) {
          context = c
          if (supplier.storeName !== undefined) {
            const opened = c.getStateStore<Store<K, V> | MeteredVersionedKeyValueStore<K, V>>(supplier.storeName)
            if (opened instanceof MeteredVersionedKeyValueStore) versioned = opened
            else {
              store = opened
              forwarder = new TimestampedTupleForwarder(opened, c, supplier.sendOldValues)
            }
          }
        },
        process(record: Record<K, V>) {
          if (record.key === null || record.key === undefined) return dropped(context)
          if (versioned) {
            // a versioned table keeps every version; an update too old to keep is not forwarded
            const old = versioned.get(record.key)
            const code = versioned.put(record.key, record.value, record.timestamp)
            if (code === PUT_RETURN_CODE_NOT_PUT) return
            const oldValue = supplier.sendOldValues && old !== null ? old.value : null
            context.forward(
              record.withValue(change(record.value, oldValue, code === PUT_RETURN_CODE_VALID_TO_UNDEFINED)),
            )
            return
          }
          if (store && forwarder) {
            const old = store.get(record.key)
            store.put(record.key, record.value === null ? null : { value: record.value, timestamp: record.timestamp })
            forwarder.maybeForward(record.withValue(change(record.value, old === null ? null : old.value)))
          } else {
            context.forward(record.withValue(change(record.value, null)))
          }
        },
      }
    },
  }
  return supplier
}

/**
 * Kafka `KTableFilter` and `KTableMapValues`: `compute` maps a value to the new value (null = filtered
 * out). Unmaterialized, both sides of the change are computed and forwarded, `Change(null, null)`
 * included unless old values are sent (a filtered-out record becomes a tombstone downstream, as in
 * Kafka); materialized, the result is stored and forwarded with the stored old value.
 */
export function ktableTransform<K, V, VR>(
  compute: (key: K, value: V) => VR | null,
  storeName: string | undefined,
  transformer?: () => ValueTransformerWithKey<K, V | null, VR>,
): KTableProcessorSupplier<K, V, VR> {
  const supplier: KTableProcessorSupplier<K, V, VR> = {
    storeName,
    sendOldValues: false,
    get(): Processor<K, Change<V>, K, Change<VR>> {
      let context: ProcessorContext<K, Change<VR>>
      let store: Store<K, VR> | undefined
      let forwarder: TimestampedTupleForwarder<K, VR> | undefined
      // a transformer sees tombstones too (Kafka KTableTransformValues); filter and mapValues do not
      const instance = transformer?.()
      const apply = instance
        ? (key: K, value: V | null): VR | null => instance.transform(key, value)
        : (key: K, value: V | null): VR | null => (value === null ? null : compute(key, value))
      return {
        close() {
          instance?.close?.()
        },
        init(c) {
          context = c
          instance?.init?.(c)
          if (supplier.storeName !== undefined) {
            store = c.getStateStore<Store<K, VR>>(supplier.storeName)
            forwarder = new TimestampedTupleForwarder(store, c, supplier.sendOldValues)
          }
        },
        process(record: Record<K, Change<V>>) {
          const newValue = apply(record.key, record.value.newValue)
          if (store && forwarder) {
            const old = store.get(record.key)
            const oldValue = old === null ? null : old.value
            if (newValue === null && oldValue === null) return
            store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp })
            forwarder.maybeForward(record.withValue(change(newValue, oldValue, record.value.isLatest)))
            return
          }
          const oldValue = supplier.sendOldValues ? apply(record.key, record.value.oldValue) : null
          if (supplier.sendOldValues && newValue === null && oldValue === null) return
          context.forward(record.withValue(change(newValue, oldValue, record.value.isLatest)))
        },
      }
    },
  }
  return supplier
}

/** A stateful value transformer for `KTable.transformValues` (Kafka `ValueTransformerWithKey`). */
export interface ValueTransformerWithKey<K, V, VR> {
  init?(context: ProcessorContext<unknown, unknown>): void
  transform(readOnlyKey: K, value: V): VR | null
  close?(): void
}

/** Kafka `KTable#toStream`: the new value of each change. */
export function ktableToStream<K, V>(): () => Processor<K, Change<V>, K, V | null> {
  return forwardingProcessor<K, Change<V>, K, V | null>((record, context) =>
    context.forward(record.withValue(record.value.newValue)),
  )
}
