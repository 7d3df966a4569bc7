import type { Processor, ProcessorContext, StoreBuilderLike } from '../../../processor/api/processor.ts'
import { rawHeaders } from '../../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../../processor/internals/processor-context-impl.ts'
import type { Change } from '../change.ts'
import type { CombinedKeySchema } from './combined-key-schema.ts'
import type { SubscriptionStore } from './subscription-receive-processor-supplier.ts'
import { subscriptionResponseWrapper, type SubscriptionResponseWrapper } from './subscription-response-wrapper.ts'

export interface ForeignTableJoinProcessorSupplier<K, KO, VO> {
  /** Set at build time when the right table is versioned: out-of-order updates are then dropped (KIP-914). */
  useVersionedSemantics: boolean
  stores(): readonly StoreBuilderLike[]
  get(): Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>>
}

const identity = { serialize: (_topic: string, data: Buffer): Buffer => data }

/**
 * Kafka `ForeignTableJoinProcessorSupplier`: each change of the right table answers every subscription
 * to its key, found by a prefix scan of the subscription store, with the new right value (null for a
 * delete), keyed by the subscribers' primary keys in the order of their serialized bytes. The answers
 * keep the right record's timestamp. Records with a null key are dropped.
 */
export function foreignTableJoinProcessorSupplier<K, KO, VO>(
  store: StoreBuilderLike,
  keySchema: CombinedKeySchema<KO, K>,
): ForeignTableJoinProcessorSupplier<K, KO, VO> {
  const supplier: ForeignTableJoinProcessorSupplier<K, KO, VO> = {
    useVersionedSemantics: false,
    stores: () => [store],
    get() {
      let context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>
      let subscriptions: SubscriptionStore<K>
      return {
        init(c) {
          context = c
          subscriptions = c.getStateStore<SubscriptionStore<K>>(store.name)
          keySchema.init(c)
        },
        process(record) {
          const dropped = record.key === null || record.key === undefined
          if (dropped || (supplier.useVersionedSemantics && !record.value.isLatest)) {
            ;(context as unknown as ProcessorContextImpl).droppedRecords++
            return
          }
          // the headers without the copy `record.headers` makes: serializers only read them
          const prefix = keySchema.prefixBytes(record.key, record[rawHeaders]())
          const newValue = record.value.newValue
          for (const { key, value } of subscriptions.prefixScan(prefix, identity)) {
            const subscription = value.value
            context.forward(
              record
                .withKey(keySchema.primaryKeyFromBytes(key))
                .withValue(subscriptionResponseWrapper(subscription.hash, newValue, subscription.primaryPartition)),
            )
          }
        },
      }
    },
  }
  return supplier
}
