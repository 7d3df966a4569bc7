import type { Processor, ProcessorContext, StoreBuilderLike } from '../../../processor/api/processor.ts'
import { rawHeaders } from '../../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../../processor/internals/processor-context-impl.ts'
import type { MeteredKeyValueStore } from '../../../state/internals/metered-key-value-store.ts'
import type { ValueAndTimestamp } from '../../../state/value-and-timestamp.ts'
import { change, type Change } from '../change.ts'
import type { CombinedKey, CombinedKeySchema } from './combined-key-schema.ts'
import { defaultSerdes } from './default-serdes.ts'
import type { WrappingSerde } from './subscription-wrapper-serde.ts'
import { SubscriptionInstruction, type SubscriptionWrapper } from './subscription-wrapper.ts'

/** The subscription store: combined-key bytes to timestamped subscriptions. */
export type SubscriptionStore<K> = MeteredKeyValueStore<Buffer, ValueAndTimestamp<SubscriptionWrapper<K>>>

/**
 * Kafka `SubscriptionReceiveProcessorSupplier`: on the right side, keeps each subscription in the
 * subscription store under its combined key (an unsubscription deletes it) and forwards it as a change of
 * that store, keyed by the combined key. A subscription with a null foreign key (a left join's) is not
 * stored: it only fetches its null answer. Any other subscription without a foreign key is dropped.
 */
export function subscriptionReceiveProcessorSupplier<K, KO>(
  store: StoreBuilderLike,
  keySchema: CombinedKeySchema<KO, K>,
  wrapperSerde: WrappingSerde<SubscriptionWrapper<K>>,
): {
  stores(): readonly StoreBuilderLike[]
  get(): Processor<
    KO | null,
    SubscriptionWrapper<K>,
    CombinedKey<KO, K>,
    Change<ValueAndTimestamp<SubscriptionWrapper<K>>>
  >
} {
  return {
    stores: () => [store],
    get() {
      let context: ProcessorContext<CombinedKey<KO, K>, Change<ValueAndTimestamp<SubscriptionWrapper<K>>>>
      let subscriptions: SubscriptionStore<K>
      return {
        init(c) {
          context = c
          subscriptions = c.getStateStore<SubscriptionStore<K>>(store.name)
          const defaults = defaultSerdes(c)
          wrapperSerde.setIfUnset(defaults.keySerde, defaults.valueSerde)
          keySchema.init(c)
        },
        process(record) {
          const foreignKey = record.key
          const wrapper = record.value
          const newValue = { value: wrapper, timestamp: record.timestamp }
          let oldValue: ValueAndTimestamp<SubscriptionWrapper<K>> | null = null
          if (foreignKey === null || foreignKey === undefined) {
            if (wrapper.instruction !== SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) {
              ;(context as unknown as ProcessorContextImpl).droppedRecords++
              return
            }
          } else {
            // the headers without the copy `record.headers` makes: serializers only read them
            const key = keySchema.toBytes(foreignKey, wrapper.primaryKey, record[rawHeaders]())
            oldValue = subscriptions.get(key)
            const unsubscribe =
              wrapper.instruction === SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE ||
              wrapper.instruction === SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE
            subscriptions.put(key, unsubscribe ? null : newValue)
          }
          context.forward(
            record
              .withKey({ foreignKey: foreignKey ?? null, primaryKey: wrapper.primaryKey })
              .withValue(change<ValueAndTimestamp<SubscriptionWrapper<K>>>(newValue, oldValue)),
          )
        },
      }
    },
  }
}
