import type { Headers } from '../header/headers.ts'

/**
 * Turns a value into bytes (Kafka `Serializer`). `null` stays `null`: in Kafka a null value is a
 * tombstone and a null key means "no key".
 */
export interface Serializer<T> {
  serialize(topic: string, data: T | null, headers?: Headers): Buffer | null
  configure?(configs: Readonly<Record<string, unknown>>, isKey: boolean): void
  close?(): void
}

/** Turns bytes back into a value (Kafka `Deserializer`); `null` bytes give `null`. */
export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null, headers?: Headers): T | null
  configure?(configs: Readonly<Record<string, unknown>>, isKey: boolean): void
  close?(): void
}

/** A serializer and deserializer pair for one type (Kafka `Serde`). */
export interface Serde<T> {
  serializer(): Serializer<T>
  deserializer(): Deserializer<T>
}

/**
 * A serializer or deserializer wrapping another that may be unknown when the topology is built (Kafka
 * `WrappingNullableSerializer`): source and sink nodes hand it the application's default serdes.
 */
export interface WrappingSerdeHook {
  setIfUnset(keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined): void
}

export function setIfUnset(
  target: unknown,
  keySerde: Serde<unknown> | undefined,
  valueSerde: Serde<unknown> | undefined,
): void {
  const hook = target as Partial<WrappingSerdeHook> | undefined
  if (hook && typeof hook.setIfUnset === 'function') hook.setIfUnset(keySerde, valueSerde)
}
