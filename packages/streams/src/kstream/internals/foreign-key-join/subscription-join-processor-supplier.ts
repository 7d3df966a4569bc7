import type { Processor, ProcessorContext } from '../../../processor/api/processor.ts'
import type { ValueAndTimestamp } from '../../../state/value-and-timestamp.ts'
import type { Change } from '../change.ts'
import type { KTableValueGetterSupplier } from '../ktable-value-getter.ts'
import type { CombinedKey } from './combined-key-schema.ts'
import { subscriptionResponseWrapper, type SubscriptionResponseWrapper } from './subscription-response-wrapper.ts'
import { SubscriptionInstruction, type SubscriptionWrapper } from './subscription-wrapper.ts'

/**
 * Kafka `SubscriptionJoinProcessorSupplier`: answers each subscription with the right table's current
 * value for its foreign key, keyed by the primary key, stamped with the later of the subscription's and
 * the right row's timestamps: always for an unsubscription that asks for it (with a null value), always
 * for a changed foreign key (null when there is no right row), only when the right row exists for a
 * plain subscription, never for a silent unsubscription.
 */
export function subscriptionJoinProcessorSupplier<K, KO, VO>(
  foreignValues: KTableValueGetterSupplier<KO, VO>,
): () => Processor<
  CombinedKey<KO, K>,
  Change<ValueAndTimestamp<SubscriptionWrapper<K>>>,
  K,
  SubscriptionResponseWrapper<VO>
> {
  return () => {
    let context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>
    const getter = foreignValues.get()
    return {
      init(c) {
        context = c
        getter.init(c)
      },
      process(record) {
        const subscription = record.value.newValue
        if (subscription === null) throw new TypeError('This processor should never see a null newValue.')
        const wrapper = subscription.value
        const { foreignKey, primaryKey } = record.key
        const found = foreignKey === null ? null : getter.get(foreignKey)
        const timestamp = found === null ? subscription.timestamp : Math.max(subscription.timestamp, found.timestamp)
        let answer: VO | null
        switch (wrapper.instruction) {
          case SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE:
            answer = null
            break
          case SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
            answer = found === null ? null : found.value
            break
          case SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
            if (found === null) return
            answer = found.value
            break
          case SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE:
            return
        }
        context.forward(
          record
            .withKey(primaryKey)
            .withValue(subscriptionResponseWrapper(wrapper.hash, answer, wrapper.primaryPartition))
            .withTimestamp(timestamp),
        )
      },
    }
  }
}
