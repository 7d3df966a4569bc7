import { StreamsException } from '../../../errors/streams-exception.ts'
import type { Headers } from '../../../header/headers.ts'
import type { Processor, ProcessorContext } from '../../../processor/api/processor.ts'
import { rawHeaders, type Record } from '../../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../../processor/internals/processor-context-impl.ts'
import type { Serde, Serializer } from '../../../serde/serde.ts'
import { murmur3Hash128 } from '../../../state/internals/murmur3.ts'
import type { Change } from '../change.ts'
import { defaultSerdes } from './default-serdes.ts'
import { subscriptionWrapper, SubscriptionInstruction, type SubscriptionWrapper } from './subscription-wrapper.ts'

/** Kafka `ForeignKeyExtractor`: the foreign key of a left row, from its key and value; null for none. */
export type ForeignKeyExtractor<K, V, KO> = (key: K, value: V) => KO | null | undefined

export interface SubscriptionSendProcessorSupplier<K, V, KO> {
  /** Set at build time when the left table is versioned: out-of-order updates are then dropped (KIP-914). */
  useVersionedSemantics: boolean
  get(): Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>>
}

/**
 * Kafka `SubscriptionSendProcessorSupplier`: turns each change of the left table into subscriptions keyed
 * by foreign key, for the subscription topic. A subscription carries the murmur3 hash of the new left
 * value (serialized with the left table's value serde under the pseudo topic `<subscription topic>-vh`).
 *
 * Inner join: an insert subscribes and asks for an answer only if the right row exists; an update with
 * the same foreign key does the same (no join before means none now); a changed foreign key
 * unsubscribes the old one silently and subscribes the new one asking for an answer either way (a null
 * answer deletes the old result); a delete, or a foreign key becoming null, unsubscribes asking for a
 * null answer. Left join: a changed foreign key unsubscribes the old one silently, and every change
 * but an idempotent delete asks the new foreign key for an answer, a null foreign key included (the
 * subscription then has a null key and only fetches a null answer). Foreign keys are compared by their
 * serialized bytes.
 */
export function subscriptionSendProcessorSupplier<K, V, KO>(
  foreignKeyExtractor: ForeignKeyExtractor<K, V, KO>,
  foreignKeyTopic: () => string,
  valueHashTopic: () => string,
  foreignKeySerde: Serde<KO> | undefined,
  valueSerde: Serde<V> | undefined,
  leftJoin: boolean,
): SubscriptionSendProcessorSupplier<K, V, KO> {
  const supplier: SubscriptionSendProcessorSupplier<K, V, KO> = {
    useVersionedSemantics: false,
    get() {
      let context: ProcessorContext<KO | null, SubscriptionWrapper<K>>
      let fkTopic = ''
      let vhTopic = ''
      let fkSerializer: Serializer<KO>
      let valueSerializer: Serializer<V>
      // the hash of the record being processed, computed once for its one or two subscriptions
      // (serializers get the record's headers through `rawHeaders`, without the copy `headers` makes)
      let recordHash: Buffer | null | undefined

      const extract = (key: K, value: V | null): KO | null => {
        if (value === null) return null
        return foreignKeyExtractor(key, value) ?? null
      }
      const foreignKeyChanged = (newKey: KO | null, oldKey: KO | null, headers: Headers | undefined): boolean => {
        const a = fkSerializer.serialize(fkTopic, newKey, headers)
        const b = fkSerializer.serialize(fkTopic, oldKey, headers)
        return a === null || b === null ? a !== b : !a.equals(b)
      }
      const hash = (record: Record<K, Change<V>>): Buffer | null => {
        if (recordHash === undefined) {
          const value = record.value.newValue
          recordHash =
            value === null
              ? null
              : murmur3Hash128(valueSerializer.serialize(vhTopic, value, record[rawHeaders]()) ?? Buffer.alloc(0))
        }
        return recordHash
      }
      const forward = (
        record: Record<K, Change<V>>,
        foreignKey: KO | null,
        instruction: SubscriptionInstruction,
      ): void => {
        // Kafka reads the partition from the record's metadata; without one (a punctuation) the task's
        // partition is the left record's partition all the same
        const partition = context.recordMetadata()?.partition ?? context.taskId.partition
        const wrapper = subscriptionWrapper(hash(record), instruction, record.key, partition)
        context.forward(record.withKey(foreignKey).withValue(wrapper))
      }
      const dropNullForeignKey = (): void => {
        ;(context as unknown as ProcessorContextImpl).droppedRecords++
      }

      const leftJoinInstructions = (record: Record<K, Change<V>>): void => {
        const { oldValue, newValue } = record.value
        // no output for idempotent left-hand-side deletes
        if (oldValue === null && newValue === null) return
        const oldForeignKey = extract(record.key, oldValue)
        const newForeignKey = extract(record.key, newValue)
        if (oldForeignKey !== null && foreignKeyChanged(newForeignKey, oldForeignKey, record[rawHeaders]()))
          forward(record, oldForeignKey, SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE)
        forward(record, newForeignKey, SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE)
      }

      const innerJoinInstructions = (record: Record<K, Change<V>>): void => {
        const { oldValue, newValue } = record.value
        const oldForeignKey = extract(record.key, oldValue)
        const unsubscribe = oldForeignKey !== null
        if (newValue === null) {
          if (unsubscribe) forward(record, oldForeignKey, SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE)
          return
        }
        const newForeignKey = extract(record.key, newValue)
        if (newForeignKey === null) {
          dropNullForeignKey()
          if (unsubscribe) forward(record, oldForeignKey, SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE)
        } else if (!unsubscribe) {
          forward(record, newForeignKey, SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE)
        } else if (foreignKeyChanged(newForeignKey, oldForeignKey, record[rawHeaders]())) {
          forward(record, oldForeignKey, SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE)
          forward(record, newForeignKey, SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE)
        } else {
          forward(record, newForeignKey, SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE)
        }
      }

      return {
        init(c) {
          context = c
          fkTopic = foreignKeyTopic()
          vhTopic = valueHashTopic()
          const defaults = defaultSerdes(c)
          const keySerde = (foreignKeySerde ?? defaults.keySerde) as Serde<KO> | undefined
          const leftValueSerde = (valueSerde ?? defaults.valueSerde) as Serde<V> | undefined
          if (!keySerde || !leftValueSerde)
            throw new StreamsException(
              'a foreign-key join needs the right table key serde and the left table value serde: set defaultKeySerde/defaultValueSerde or give the tables serdes',
            )
          fkSerializer = keySerde.serializer()
          valueSerializer = leftValueSerde.serializer()
        },
        process(record) {
          recordHash = undefined
          if (supplier.useVersionedSemantics && !record.value.isLatest) {
            ;(context as unknown as ProcessorContextImpl).droppedRecords++
            return
          }
          if (leftJoin) leftJoinInstructions(record)
          else innerJoinInstructions(record)
        },
      }
    },
  }
  return supplier
}
