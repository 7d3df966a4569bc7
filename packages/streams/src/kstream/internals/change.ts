/**
 * What a KTable forwards (Kafka `Change`): the new value and, when a downstream operator asked for it
 * (aggregations of tables, joins), the old one. A null new value is a delete.
 */
export interface Change<V> {
  readonly newValue: V | null
  readonly oldValue: V | null
  readonly isLatest: boolean
}

export function change<V>(newValue: V | null, oldValue: V | null, isLatest = true): Change<V> {
  return { newValue, oldValue, isLatest }
}
