import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

/** How a stream is grouped: the repartition topic's name and serdes (Kafka `Grouped`). */
export class Grouped<K, V> {
  readonly name: string | undefined
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined

  private constructor(name: string | undefined, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined) {
    if (name !== undefined) validateName(name)
    this.name = name
    this.keySerde = keySerde
    this.valueSerde = valueSerde
  }

  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(name, undefined, undefined)
  }

  /** `with(keySerde, valueSerde)`, or Java's `with(name, keySerde, valueSerde)`. */
  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, name?: string): Grouped<K, V>
  static with<K, V>(name: string, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Grouped<K, V>
  static with<K, V>(
    first: string | Serde<K> | undefined,
    second: Serde<K> | Serde<V> | undefined,
    third?: string | Serde<V>,
  ): Grouped<K, V> {
    if (typeof first === 'string') return new Grouped<K, V>(first, second as Serde<K>, third as Serde<V>)
    return new Grouped<K, V>(third as string | undefined, first, second as Serde<V>)
  }

  static keySerde<K, V>(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped<K, V>(undefined, keySerde, undefined)
  }

  static valueSerde<K, V>(valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>(undefined, undefined, valueSerde)
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(name, this.keySerde, this.valueSerde)
  }

  withKeySerde(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped(this.name, keySerde, this.valueSerde)
  }

  withValueSerde(valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(this.name, this.keySerde, valueSerde)
  }
}
