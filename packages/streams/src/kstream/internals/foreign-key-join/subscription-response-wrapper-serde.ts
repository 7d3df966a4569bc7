import { StreamsException } from '../../../errors/streams-exception.ts'
import type { Headers } from '../../../header/headers.ts'
import type { Deserializer, Serde, Serializer, WrappingSerdeHook } from '../../../serde/serde.ts'
import { subscriptionResponseWrapper, type SubscriptionResponseWrapper } from './subscription-response-wrapper.ts'
import type { WrappingSerde } from './subscription-wrapper-serde.ts'

/**
 * Kafka `SubscriptionResponseWrapperSerde`, byte-compatible with Java: `{1 bit hash-is-null}{7 bits
 * version}{16 bytes hash, if any}{right value, if any}`. The right value goes through the right
 * table's value serde (the default value serde when the table has none), under the response topic. As
 * in Kafka, a right value serialized to no bytes reads back as null.
 */
export function subscriptionResponseWrapperSerde<VO>(
  foreignValueSerde: Serde<VO> | undefined,
): WrappingSerde<SubscriptionResponseWrapper<VO>> {
  let valueSerde = foreignValueSerde
  let valueSerializer: Serializer<VO> | undefined
  let valueDeserializer: Deserializer<VO> | undefined
  const setIfUnset = (_defaultKeySerde: Serde<unknown> | undefined, defaultValueSerde: Serde<unknown> | undefined) => {
    valueSerde ??= defaultValueSerde as Serde<VO> | undefined
  }
  const resolve = (): Serde<VO> => {
    if (!valueSerde)
      throw new StreamsException(
        'no value serde for the right values of a foreign-key join response: set defaultValueSerde or give the right table a value serde (Consumed.with / Materialized.with)',
      )
    return valueSerde
  }
  const serializer: Serializer<SubscriptionResponseWrapper<VO>> & WrappingSerdeHook = {
    setIfUnset,
    serialize(topic: string, data: SubscriptionResponseWrapper<VO> | null, headers?: Headers): Buffer | null {
      if (data === null) return null
      if (data.version < 0) throw new StreamsException('SubscriptionResponseWrapper version cannot be negative')
      let value: Buffer | null = null
      if (data.foreignValue !== null) {
        valueSerializer ??= resolve().serializer()
        value = valueSerializer.serialize(topic, data.foreignValue, headers)
      }
      const hash = data.originalValueHash
      const out = Buffer.allocUnsafe(1 + (hash === null ? 0 : 16) + (value === null ? 0 : value.length))
      out[0] = hash === null ? data.version | 0x80 : data.version
      if (hash !== null) hash.copy(out, 1, 0, 16)
      if (value !== null) value.copy(out, hash === null ? 1 : 17)
      return out
    },
  }
  const deserializer: Deserializer<SubscriptionResponseWrapper<VO>> & WrappingSerdeHook = {
    setIfUnset,
    deserialize(topic: string, data: Buffer | null, headers?: Headers): SubscriptionResponseWrapper<VO> | null {
      if (data === null) return null
      const first = data[0] ?? 0
      const hashIsNull = (first & 0x80) !== 0
      const valueStart = hashIsNull ? 1 : 17
      const hash = hashIsNull ? null : Buffer.from(data.subarray(1, 17))
      let value: VO | null = null
      if (data.length > valueStart) {
        valueDeserializer ??= resolve().deserializer()
        value = valueDeserializer.deserialize(topic, data.subarray(valueStart), headers)
      }
      return subscriptionResponseWrapper(hash, value, null, first & 0x7f)
    },
  }
  return {
    setIfUnset,
    serializer: () => serializer,
    deserializer: () => deserializer,
  }
}
