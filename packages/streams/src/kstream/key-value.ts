/** A key and a value (Kafka `KeyValue`); mappers may also return `[key, value]` tuples. */
export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

export const KeyValue = {
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return { key, value }
  },
}

/** What `map` and `flatMap` accept for one output record. */
export type KeyValueLike<K, V> = KeyValue<K, V> | readonly [K, V]

export function toKeyValue<K, V>(pair: KeyValueLike<K, V>): KeyValue<K, V> {
  if (Array.isArray(pair)) return { key: pair[0] as K, value: pair[1] as V }
  return pair as KeyValue<K, V>
}
