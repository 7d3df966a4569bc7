/** A value with the timestamp of its last update (Kafka `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

export const ValueAndTimestamp = {
  make<V>(value: V | null, timestamp: number): ValueAndTimestamp<V> | null {
    return value === null ? null : { value, timestamp }
  },
  getValueOrNull<V>(valueAndTimestamp: ValueAndTimestamp<V> | null | undefined): V | null {
    return valueAndTimestamp ? valueAndTimestamp.value : null
  },
}
