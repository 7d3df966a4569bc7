import { toMillis, type Duration } from './duration.ts'
import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

/** Options of a stream-table join: serdes, processor name, grace for versioned tables (Kafka `Joined`). */
export class Joined<K, V, VO> {
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly otherValueSerde: Serde<VO> | undefined
  readonly name: string | undefined
  readonly gracePeriodMs: number | undefined

  private constructor(
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    otherValueSerde?: Serde<VO>,
    name?: string,
    gracePeriodMs?: number,
  ) {
    if (name !== undefined) validateName(name)
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.otherValueSerde = otherValueSerde
    this.name = name
    this.gracePeriodMs = gracePeriodMs
  }

  static with<K, V, VO>(
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    otherValueSerde?: Serde<VO>,
    name?: string,
  ): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, name)
  }

  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, undefined, name)
  }

  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name, this.gracePeriodMs)
  }

  withKeySerde(keySerde: Serde<K>): Joined<K, V, VO> {
    return new Joined(keySerde, this.valueSerde, this.otherValueSerde, this.name, this.gracePeriodMs)
  }

  withValueSerde(valueSerde: Serde<V>): Joined<K, V, VO> {
    return new Joined(this.keySerde, valueSerde, this.otherValueSerde, this.name, this.gracePeriodMs)
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, otherValueSerde, this.name, this.gracePeriodMs)
  }

  /** For a versioned table: how long stream records wait so that out-of-order table updates are seen. */
  withGracePeriod(gracePeriod: Duration | number): Joined<K, V, VO> {
    return new Joined(
      this.keySerde,
      this.valueSerde,
      this.otherValueSerde,
      this.name,
      toMillis(gracePeriod, 'gracePeriod'),
    )
  }
}
