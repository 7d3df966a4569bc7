import { SerializationException } from '../errors/serialization-exception.ts'
import type { Headers } from '../header/headers.ts'
import type { Deserializer, Serde, Serializer } from './serde.ts'
import { readInt64BE, writeInt64BE } from './internals/int64.ts'

/*
 * Kafka's built-in serdes with byte-identical formats, so a kstreams application and a Java one can
 * share topics: strings and UUIDs as UTF-8 text, numbers as fixed-width big-endian (two's complement
 * integers, IEEE 754 floats), booleans as one byte. `null` is always `null` both ways.
 */

class SimpleSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
  readonly #serialize: (data: T, topic: string) => Buffer
  readonly #deserialize: (data: Buffer, topic: string) => T

  constructor(serialize: (data: T, topic: string) => Buffer, deserialize: (data: Buffer, topic: string) => T) {
    this.#serialize = serialize
    this.#deserialize = deserialize
  }

  serializer(): Serializer<T> {
    return this
  }

  deserializer(): Deserializer<T> {
    return this
  }

  serialize(topic: string, data: T | null | undefined, _headers?: Headers): Buffer | null {
    return data === null || data === undefined ? null : this.#serialize(data, topic)
  }

  deserialize(topic: string, data: Buffer | null | undefined, _headers?: Headers): T | null {
    return data === null || data === undefined ? null : this.#deserialize(data, topic)
  }
}

function fixedSize(data: Buffer, size: number, name: string): void {
  if (data.length !== size) {
    throw new SerializationException(
      `Size of data received by ${name}Deserializer is not ${size} (it is ${data.length})`,
    )
  }
}

function integer(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SerializationException(`${name}Serializer: ${String(value)} is not an integer in [${min}, ${max}]`)
  }
  return value
}

const utf8 = new SimpleSerde<string>(
  (data) => Buffer.from(data, 'utf8'),
  (data) => data.toString('utf8'),
)

/*
 * JSON drops Sets and Maps silently (they become {}), which would corrupt aggregates kept in stores; they
 * are written as {"$set": [...]} and {"$map": [[key, value], ...]} and read back as Set and Map. A
 * replacer or reviver takes JSON off V8's fast path (half the speed of a stateless topology), so they
 * run only for values that hold a Set or Map, or text that mentions one.
 */
function holdsCollection(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if (value instanceof Set || value instanceof Map) return true
  if (Array.isArray(value)) {
    for (const item of value) if (holdsCollection(item)) return true
    return false
  }
  for (const key in value) if (holdsCollection((value as Record<string, unknown>)[key])) return true
  return false
}

function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Set) return { $set: [...(value as Set<unknown>)] }
  if (value instanceof Map) return { $map: [...(value as Map<unknown, unknown>)] }
  return value
}

function jsonReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value)
    if (keys.length === 1) {
      const record = value as { $set?: unknown; $map?: unknown }
      if (Array.isArray(record.$set)) return new Set(record.$set)
      if (Array.isArray(record.$map)) return new Map(record.$map as [unknown, unknown][])
    }
  }
  return value
}

const json = new SimpleSerde<unknown>(
  (data, topic) => {
    let text: string | undefined
    try {
      text = holdsCollection(data) ? JSON.stringify(data, jsonReplacer) : JSON.stringify(data)
    } catch (error) {
      throw new SerializationException(`cannot serialize a value for topic ${topic} as JSON`, { cause: error })
    }
    if (text === undefined)
      throw new SerializationException(`JSON cannot represent the value (${typeof data}) for topic ${topic}`)
    return Buffer.from(text, 'utf8')
  },
  (data, topic) => {
    try {
      // only a text with a `$` in it may hold a Set or Map
      const text = data.toString('utf8')
      return (text.indexOf('$') === -1 ? JSON.parse(text) : JSON.parse(text, jsonReviver)) as unknown
    } catch (error) {
      throw new SerializationException(`cannot deserialize ${data.length} bytes from topic ${topic} as JSON`, {
        cause: error,
      })
    }
  },
)

const bytes = new SimpleSerde<Buffer>(
  (data) => data,
  (data) => data,
)

const int16 = new SimpleSerde<number>(
  (data) => {
    const out = Buffer.allocUnsafe(2)
    out.writeInt16BE(integer(data, -0x8000, 0x7fff, 'Short'))
    return out
  },
  (data) => {
    fixedSize(data, 2, 'Short')
    return data.readInt16BE(0)
  },
)

const int32 = new SimpleSerde<number>(
  (data) => {
    const out = Buffer.allocUnsafe(4)
    out.writeInt32BE(integer(data, -0x80000000, 0x7fffffff, 'Integer'))
    return out
  },
  (data) => {
    fixedSize(data, 4, 'Integer')
    return data.readInt32BE(0)
  },
)

const int64 = new SimpleSerde<number>(
  (data) => {
    const out = Buffer.allocUnsafe(8)
    writeInt64BE(out, integer(data, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'Long'), 0)
    return out
  },
  (data) => {
    fixedSize(data, 8, 'Long')
    const value = readInt64BE(data, 0)
    if (!Number.isSafeInteger(value)) {
      throw new SerializationException(
        `LongDeserializer: ${data.readBigInt64BE(0)} does not fit a JavaScript number exactly; use Serdes.BigInt() for this data`,
      )
    }
    return value
  },
)

const bigInt64 = new SimpleSerde<bigint>(
  (data) => {
    if (data < -(2n ** 63n) || data >= 2n ** 63n)
      throw new SerializationException(`BigIntSerializer: ${data} is not a 64-bit integer`)
    const out = Buffer.allocUnsafe(8)
    out.writeBigInt64BE(data)
    return out
  },
  (data) => {
    fixedSize(data, 8, 'BigInt')
    return data.readBigInt64BE(0)
  },
)

const float32 = new SimpleSerde<number>(
  (data) => {
    const out = Buffer.allocUnsafe(4)
    out.writeFloatBE(data)
    return out
  },
  (data) => {
    fixedSize(data, 4, 'Float')
    return data.readFloatBE(0)
  },
)

const float64 = new SimpleSerde<number>(
  (data) => {
    const out = Buffer.allocUnsafe(8)
    out.writeDoubleBE(data)
    return out
  },
  (data) => {
    fixedSize(data, 8, 'Double')
    return data.readDoubleBE(0)
  },
)

const boolean = new SimpleSerde<boolean>(
  (data) => Buffer.of(data ? 1 : 0),
  (data) => {
    fixedSize(data, 1, 'Boolean')
    if (data[0] === 1) return true
    if (data[0] === 0) return false
    throw new SerializationException(`BooleanDeserializer: unexpected byte ${String(data[0])}, expected 0 or 1`)
  },
)

const uuidPattern = /^[0-9a-f]{1,8}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,12}$/i

/** Java's `UUID.toString()` form: lower-case hex, groups zero-padded to 8-4-4-4-12. */
function canonicalUuid(text: string, side: string): string {
  if (!uuidPattern.test(text)) throw new SerializationException(`UUID${side}: "${text}" is not a UUID`)
  const [a = '', b = '', c = '', d = '', e = ''] = text.toLowerCase().split('-')
  return `${a.padStart(8, '0')}-${b.padStart(4, '0')}-${c.padStart(4, '0')}-${d.padStart(4, '0')}-${e.padStart(12, '0')}`
}

const uuid = new SimpleSerde<string>(
  (data) => Buffer.from(canonicalUuid(data, 'Serializer'), 'utf8'),
  (data) => canonicalUuid(data.toString('utf8'), 'Deserializer'),
)

const voidSerde = new SimpleSerde<never>(
  () => {
    throw new SerializationException('VoidSerializer: data should be null')
  },
  () => {
    throw new SerializationException('VoidDeserializer: data should be null')
  },
)

/** Factory for Kafka's built-in serdes (Kafka `Serdes`). */
export const Serdes = {
  String: (): Serde<string> => utf8,
  /** JSON text in UTF-8 (not a Kafka built-in; the usual choice for JavaScript objects). */
  JSON: <T = unknown>(): Serde<T> => json as Serde<T>,
  ByteArray: (): Serde<Buffer> => bytes,
  Bytes: (): Serde<Buffer> => bytes,
  Buffer: (): Serde<Buffer> => bytes,
  Short: (): Serde<number> => int16,
  Integer: (): Serde<number> => int32,
  /** 64-bit integers as JavaScript numbers; values beyond ±2^53 are rejected (use `BigInt()`). */
  Long: (): Serde<number> => int64,
  /** 64-bit integers as bigint, the full Java `long` range. */
  BigInt: (): Serde<bigint> => bigInt64,
  Float: (): Serde<number> => float32,
  Double: (): Serde<number> => float64,
  Boolean: (): Serde<boolean> => boolean,
  UUID: (): Serde<string> => uuid,
  Void: (): Serde<null> => voidSerde,

  /** A serde from a separate serializer and deserializer (Kafka `Serdes.serdeFrom`). */
  serdeFrom<T>(serializer: Serializer<T>, deserializer: Deserializer<T>): Serde<T> {
    return { serializer: () => serializer, deserializer: () => deserializer }
  },
} as const

/** Serdes that config can name (`defaultKeySerde: 'string'`), with Java's class names as aliases. */
const byName: Record<string, () => Serde<unknown>> = {
  string: Serdes.String,
  json: Serdes.JSON,
  bytes: Serdes.Bytes,
  bytearray: Serdes.ByteArray,
  buffer: Serdes.Buffer,
  short: Serdes.Short,
  int16: Serdes.Short,
  integer: Serdes.Integer,
  int: Serdes.Integer,
  int32: Serdes.Integer,
  long: Serdes.Long,
  int64: Serdes.Long,
  bigint: Serdes.BigInt,
  float: Serdes.Float,
  float32: Serdes.Float,
  double: Serdes.Double,
  float64: Serdes.Double,
  boolean: Serdes.Boolean,
  uuid: Serdes.UUID,
  void: Serdes.Void,
}
for (const java of [
  'String',
  'ByteArray',
  'Bytes',
  'Short',
  'Integer',
  'Long',
  'Float',
  'Double',
  'Boolean',
  'UUID',
  'Void',
]) {
  const serde = byName[java.toLowerCase()]
  if (serde) byName[`org.apache.kafka.common.serialization.serdes$${java.toLowerCase()}serde`] = serde
}

/** The serde a config value names, or the serde itself when one is given. */
export function serdeFrom<T>(spec: string | Serde<T>): Serde<T> {
  if (typeof spec !== 'string') return spec
  const factory = byName[spec.toLowerCase()]
  if (!factory) {
    throw new SerializationException(
      `unknown serde "${spec}": use one of ${Object.keys(byName)
        .filter((n) => !n.includes('.'))
        .join(', ')}, or pass a Serde object`,
    )
  }
  return factory() as Serde<T>
}
