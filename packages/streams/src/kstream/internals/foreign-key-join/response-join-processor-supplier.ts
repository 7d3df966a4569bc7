import { StreamsException } from '../../../errors/streams-exception.ts'
import type { Processor, ProcessorContext } from '../../../processor/api/processor.ts'
import { rawHeaders } from '../../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../../processor/internals/processor-context-impl.ts'
import type { Serde, Serializer } from '../../../serde/serde.ts'
import { murmur3Hash128 } from '../../../state/internals/murmur3.ts'
import type { ValueJoinerWithKey } from '../kstream-ktable-join.ts'
import type { KTableValueGetterSupplier } from '../ktable-value-getter.ts'
import { defaultSerdes } from './default-serdes.ts'
import {
  SUBSCRIPTION_RESPONSE_WRAPPER_CURRENT_VERSION,
  type SubscriptionResponseWrapper,
} from './subscription-response-wrapper.ts'

/**
 * Kafka `ResponseJoinProcessorSupplier`: on the left side, joins each response with the left table's
 * current value. A response whose hash is not the hash of the current left value (serialized as the
 * subscription sender did) answers a value the row no longer holds and is dropped. Otherwise a null
 * right value gives a tombstone in an inner join, or for a deleted left row; anything else is joined
 * (a left join passing the null right value to the joiner). The result keeps the response's timestamp.
 */
export function responseJoinProcessorSupplier<K, V, VO, VR>(
  values: KTableValueGetterSupplier<K, V>,
  valueSerde: Serde<V> | undefined,
  valueHashTopic: () => string,
  joiner: ValueJoinerWithKey<K, V | null, VO | null, VR>,
  leftJoin: boolean,
): () => Processor<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  return () => {
    let context: ProcessorContext<K, VR | null>
    let vhTopic = ''
    let serializer: Serializer<V>
    const getter = values.get()
    return {
      init(c) {
        context = c
        vhTopic = valueHashTopic()
        getter.init(c)
        const serde = (valueSerde ?? defaultSerdes(c).valueSerde) as Serde<V> | undefined
        if (!serde)
          throw new StreamsException(
            'no value serde for the left table of a foreign-key join: set defaultValueSerde or give the table a value serde',
          )
        serializer = serde.serializer()
      },
      process(record) {
        const response = record.value
        if (response.version !== SUBSCRIPTION_RESPONSE_WRAPPER_CURRENT_VERSION)
          throw new StreamsException('SubscriptionResponseWrapper is of an incompatible version.')
        const current = getter.get(record.key)
        // the headers without the copy `record.headers` makes: serializers only read them
        const currentHash =
          current === null
            ? null
            : murmur3Hash128(serializer.serialize(vhTopic, current.value, record[rawHeaders]()) ?? Buffer.alloc(0))
        const messageHash = response.originalValueHash
        const same =
          messageHash === null || currentHash === null ? messageHash === currentHash : messageHash.equals(currentHash)
        if (!same) {
          // a response to a value the left row no longer holds
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        const foreignValue = response.foreignValue
        const result =
          foreignValue === null && (!leftJoin || current === null)
            ? null
            : joiner(record.key, current === null ? null : current.value, foreignValue)
        context.forward(record.withValue(result))
      },
    }
  }
}
