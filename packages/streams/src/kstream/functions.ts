import type { KeyValueLike } from './key-value.ts'

export type Predicate<K, V> = (key: K, value: V) => boolean
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R
export type ValueMapper<V, R> = (value: V) => R
export type ValueMapperWithKey<K, V, R> = (key: K, value: V) => R
export type ForeachAction<K, V> = (key: K, value: V) => void
export type FlatMapper<K, V, KR, VR> = (key: K, value: V) => Iterable<KeyValueLike<KR, VR>>

/**
 * Java tells `ValueMapper` from `ValueMapperWithKey` by type; here a mapper that declares two parameters
 * gets `(key, value)`, one that declares one gets `(value)`.
 */
export function withKey<K, V, R>(mapper: ValueMapper<V, R> | ValueMapperWithKey<K, V, R>): ValueMapperWithKey<K, V, R> {
  if (mapper.length >= 2) return mapper as ValueMapperWithKey<K, V, R>
  const valueOnly = mapper as ValueMapper<V, R>
  return (_key, value) => valueOnly(value)
}
