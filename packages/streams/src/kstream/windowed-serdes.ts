import { SerializationException } from '../errors/serialization-exception.ts'
import { readInt64BE, writeInt64BE } from '../serde/internals/int64.ts'
import type { Serde } from '../serde/serde.ts'
import { Window, Windowed } from './windowed.ts'

/**
 * Kafka `WindowedSerdes`: Java-compatible bytes for windowed keys, so windowed results can be read by a
 * Java application. Time windows: [key][8-byte start]; the end is start + window size (the deserializer
 * must be told the size). Session windows: [key][8-byte end][8-byte start].
 */
export const WindowedSerdes = {
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      serializer: () => ({
        serialize(topic, data, headers) {
          if (data === null) return null
          const key = inner.serializer().serialize(topic, data.key, headers)
          if (key === null) throw new SerializationException('the key of a windowed key may not be null')
          const out = Buffer.allocUnsafe(key.length + 8)
          key.copy(out, 0)
          writeInt64BE(out, data.window.start, key.length)
          return out
        },
      }),
      deserializer: () => ({
        deserialize(topic, data, headers) {
          if (data === null) return null
          if (data.length < 8)
            throw new SerializationException(`a time-windowed key needs at least 8 bytes, got ${data.length}`)
          const start = readInt64BE(data, data.length - 8)
          const key = inner.deserializer().deserialize(topic, data.subarray(0, data.length - 8), headers) as K
          return new Windowed(key, new Window(start, Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER)))
        },
      }),
    }
  },

  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      serializer: () => ({
        serialize(topic, data, headers) {
          if (data === null) return null
          const key = inner.serializer().serialize(topic, data.key, headers)
          if (key === null) throw new SerializationException('the key of a windowed key may not be null')
          const out = Buffer.allocUnsafe(key.length + 16)
          key.copy(out, 0)
          writeInt64BE(out, data.window.end, key.length)
          writeInt64BE(out, data.window.start, key.length + 8)
          return out
        },
      }),
      deserializer: () => ({
        deserialize(topic, data, headers) {
          if (data === null) return null
          if (data.length < 16)
            throw new SerializationException(`a session-windowed key needs at least 16 bytes, got ${data.length}`)
          const end = readInt64BE(data, data.length - 16)
          const start = readInt64BE(data, data.length - 8)
          const key = inner.deserializer().deserialize(topic, data.subarray(0, data.length - 16), headers) as K
          return new Windowed(key, new Window(start, end))
        },
      }),
    }
  },
} as const
