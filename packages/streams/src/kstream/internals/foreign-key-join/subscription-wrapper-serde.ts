import { StreamsException } from '../../../errors/streams-exception.ts'
import type { Headers } from '../../../header/headers.ts'
import type { Deserializer, Serde, Serializer, WrappingSerdeHook } from '../../../serde/serde.ts'
import { subscriptionWrapper, type SubscriptionInstruction, type SubscriptionWrapper } from './subscription-wrapper.ts'

/** A serde that also takes the default serdes for what it was not given (sinks, sources, the join's processors). */
export type WrappingSerde<T> = Serde<T> & WrappingSerdeHook

/**
 * Kafka `SubscriptionWrapperSerde`, byte-compatible with Java:
 * `{1 bit hash-is-null}{7 bits version}{1 byte instruction}{16 bytes hash, if any}{primary key}{4 bytes
 * primary partition, from version 1}`. The primary key goes through the left table's key serde (the
 * default key serde when the table has none) under the pseudo topic `<applicationId>-<subscription
 * topic>-pk`. The serializer and deserializer are single objects, so the default serde handed to any
 * of them (by the sink, the source or the subscription store's processors) serves all.
 */
export function subscriptionWrapperSerde<K>(
  primaryKeyTopic: () => string,
  primaryKeySerde: Serde<K> | undefined,
): WrappingSerde<SubscriptionWrapper<K>> {
  let keySerde = primaryKeySerde
  let keySerializer: Serializer<K> | undefined
  let keyDeserializer: Deserializer<K> | undefined
  let topic: string | undefined
  const setIfUnset = (defaultKeySerde: Serde<unknown> | undefined): void => {
    keySerde ??= defaultKeySerde as Serde<K> | undefined
  }
  const resolve = (): Serde<K> => {
    if (!keySerde)
      throw new StreamsException(
        'no key serde for the primary keys of a foreign-key join subscription: set defaultKeySerde or give the left table a key serde (Consumed.with / Materialized.with)',
      )
    return keySerde
  }
  const serializer: Serializer<SubscriptionWrapper<K>> & WrappingSerdeHook = {
    setIfUnset,
    serialize(_topic: string, data: SubscriptionWrapper<K> | null, headers?: Headers): Buffer | null {
      if (data === null) return null
      if (data.version > 0x7f)
        throw new StreamsException('SubscriptionWrapper version is larger than maximum supported 0x7F')
      keySerializer ??= resolve().serializer()
      topic ??= primaryKeyTopic()
      const primaryKey = keySerializer.serialize(topic, data.primaryKey, headers) ?? Buffer.alloc(0)
      const hashLength = data.hash === null ? 0 : 16
      const partitionLength = data.version === 0 ? 0 : 4
      const out = Buffer.allocUnsafe(2 + hashLength + primaryKey.length + partitionLength)
      out[0] = data.hash === null ? data.version | 0x80 : data.version
      out[1] = data.instruction
      if (data.hash !== null) data.hash.copy(out, 2, 0, 16)
      primaryKey.copy(out, 2 + hashLength)
      if (partitionLength > 0) {
        if (data.primaryPartition === null)
          throw new StreamsException('a version 1 SubscriptionWrapper needs the primary partition')
        out.writeInt32BE(data.primaryPartition, 2 + hashLength + primaryKey.length)
      }
      return out
    },
  }
  const deserializer: Deserializer<SubscriptionWrapper<K>> & WrappingSerdeHook = {
    setIfUnset,
    deserialize(_topic: string, data: Buffer | null, headers?: Headers): SubscriptionWrapper<K> | null {
      if (data === null) return null
      const first = data[0] ?? 0
      const version = first & 0x7f
      const hashIsNull = (first & 0x80) !== 0
      const instruction = data[1] ?? -1
      if (instruction < 0 || instruction > 3)
        throw new StreamsException(`Unknown instruction byte value = ${String(instruction)}`)
      const hash = hashIsNull ? null : Buffer.from(data.subarray(2, 18))
      const keyStart = hashIsNull ? 2 : 18
      const keyEnd = version > 0 ? data.length - 4 : data.length
      keyDeserializer ??= resolve().deserializer()
      topic ??= primaryKeyTopic()
      const primaryKey = keyDeserializer.deserialize(topic, data.subarray(keyStart, keyEnd), headers) as K
      const primaryPartition = version > 0 ? data.readInt32BE(keyEnd) : null
      return subscriptionWrapper(hash, instruction as SubscriptionInstruction, primaryKey, primaryPartition, version)
    },
  }
  return {
    setIfUnset,
    serializer: () => serializer,
    deserializer: () => deserializer,
  }
}
