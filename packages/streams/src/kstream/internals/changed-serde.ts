import { StreamsException } from '../../errors/streams-exception.ts'
import type { Serde } from '../../serde/serde.ts'
import { change, type Change } from './change.ts'

/** Java `ByteUtils.writeVarint`: zig-zag, then 7 bits a byte. */
function writeVarint(value: number): Buffer {
  let v = ((value << 1) ^ (value >> 31)) >>> 0
  const bytes: number[] = []
  while ((v & ~0x7f) !== 0) {
    bytes.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  bytes.push(v)
  return Buffer.from(bytes)
}

function readVarint(data: Buffer): { value: number; size: number } {
  let raw = 0
  let shift = 0
  let i = 0
  for (;;) {
    const byte = data[i++]
    if (byte === undefined) throw new StreamsException('malformed varint in a Change record')
    raw |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) break
    shift += 7
  }
  raw >>>= 0
  return { value: (raw >>> 1) ^ -(raw & 1), size: i }
}

/**
 * Kafka `ChangedSerializer` / `ChangedDeserializer`: a table change on a repartition topic, as
 * {old}{0}, {new}{1} or {varint newLength}{new}{old}{2} (and the isLatest variants 3-5 when reading),
 * byte-compatible with Java.
 */
export function changedSerde<V>(given: Serde<V> | undefined): Serde<Change<V>> {
  let inner = given
  const resolve = (): Serde<V> => {
    if (!inner)
      throw new StreamsException(
        'no value serde for a table repartition topic: set defaultValueSerde or pass Grouped.with(...)',
      )
    return inner
  }
  const setIfUnset = (_keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined): void => {
    inner ??= valueSerde as Serde<V> | undefined
  }
  return {
    serializer: () => ({
      setIfUnset,
      serialize(topic, data, headers) {
        if (data === null) return null
        const serializer = resolve().serializer()
        const newData = data.newValue === null ? null : serializer.serialize(topic, data.newValue, headers)
        const oldData = data.oldValue === null ? null : serializer.serialize(topic, data.oldValue, headers)
        if (newData && oldData) return Buffer.concat([writeVarint(newData.length), newData, oldData, Buffer.of(2)])
        if (newData) return Buffer.concat([newData, Buffer.of(1)])
        if (oldData) return Buffer.concat([oldData, Buffer.of(0)])
        throw new StreamsException('Both old and new values are null in ChangeSerializer, which is not allowed.')
      },
    }),
    deserializer: () => ({
      setIfUnset,
      deserialize(topic, data, headers) {
        if (data === null) return null
        const deserializer = resolve().deserializer()
        const flag = data[data.length - 1] ?? -1
        const value = (bytes: Buffer | null): V | null =>
          bytes === null ? null : deserializer.deserialize(topic, bytes, headers)
        switch (flag) {
          case 0:
            return change(null, value(data.subarray(0, data.length - 1)))
          case 1:
            return change(value(data.subarray(0, data.length - 1)), null)
          case 2: {
            const { value: length, size } = readVarint(data)
            return change(
              value(data.subarray(size, size + length)),
              value(data.subarray(size + length, data.length - 1)),
            )
          }
          case 3:
            return change(null, value(data.subarray(0, data.length - 2)), data[data.length - 2] === 1)
          case 4:
            return change(value(data.subarray(0, data.length - 2)), null, data[data.length - 2] === 1)
          case 5: {
            const { value: length, size } = readVarint(data)
            return change(
              value(data.subarray(size, size + length)),
              value(data.subarray(size + length, data.length - 2)),
              data[data.length - 2] === 1,
            )
          }
          default:
            throw new StreamsException(
              `Encountered unknown byte value \`${String(flag)}\` for encodingFlag in ChangedDeserializer.`,
            )
        }
      },
    }),
  }
}
