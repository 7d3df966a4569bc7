import type { OffsetReset } from '../processor/internals/internal-topology-builder.ts'
import {
  toTimestampExtractor,
  type TimestampExtractor,
  type TimestampExtractorLike,
} from '../processor/timestamp-extractor.ts'
import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

/** How a source topic is read: serdes, timestamp extractor, reset policy, node name (Kafka `Consumed`). */
export class Consumed<K, V> {
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly timestampExtractor: TimestampExtractor | undefined
  readonly offsetReset: OffsetReset | undefined
  readonly name: string | undefined

  private constructor(
    fields: Partial<Pick<Consumed<K, V>, 'keySerde' | 'valueSerde' | 'timestampExtractor' | 'offsetReset' | 'name'>>,
  ) {
    this.keySerde = fields.keySerde
    this.valueSerde = fields.valueSerde
    this.timestampExtractor = fields.timestampExtractor
    this.offsetReset = fields.offsetReset
    this.name = fields.name
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed<K, V>({ keySerde, valueSerde })
  }

  static as<K, V>(name: string): Consumed<K, V> {
    validateName(name)
    return new Consumed<K, V>({ name })
  }

  static withTimestampExtractor<K, V>(extractor: TimestampExtractorLike): Consumed<K, V> {
    return new Consumed<K, V>({ timestampExtractor: toTimestampExtractor(extractor) })
  }

  static withOffsetResetPolicy<K, V>(policy: OffsetReset): Consumed<K, V> {
    return new Consumed<K, V>({ offsetReset: policy })
  }

  withKeySerde<NK>(keySerde: Serde<NK>): Consumed<NK, V> {
    return new Consumed<NK, V>({ ...this.#fields(), keySerde })
  }

  withValueSerde<NV>(valueSerde: Serde<NV>): Consumed<K, NV> {
    return new Consumed<K, NV>({ ...this.#fields(), valueSerde })
  }

  withTimestampExtractor(extractor: TimestampExtractorLike): Consumed<K, V> {
    return new Consumed<K, V>({ ...this.#fields(), timestampExtractor: toTimestampExtractor(extractor) })
  }

  withOffsetResetPolicy(policy: OffsetReset): Consumed<K, V> {
    return new Consumed<K, V>({ ...this.#fields(), offsetReset: policy })
  }

  withName(name: string): Consumed<K, V> {
    validateName(name)
    return new Consumed<K, V>({ ...this.#fields(), name })
  }

  #fields(): Partial<Pick<Consumed<K, V>, 'keySerde' | 'valueSerde' | 'timestampExtractor' | 'offsetReset' | 'name'>> {
    const fields: Fields<
      Pick<Consumed<K, V>, 'keySerde' | 'valueSerde' | 'timestampExtractor' | 'offsetReset' | 'name'>
    > = {}
    if (this.keySerde) fields.keySerde = this.keySerde
    if (this.valueSerde) fields.valueSerde = this.valueSerde
    if (this.timestampExtractor) fields.timestampExtractor = this.timestampExtractor
    if (this.offsetReset) fields.offsetReset = this.offsetReset
    if (this.name) fields.name = this.name
    return fields
  }
}

/** The optional fields of an options object, writable while it is assembled. */
type Fields<T> = { -readonly [P in keyof T]?: T[P] }
