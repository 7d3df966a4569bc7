import type { StreamPartitioner } from '../processor/stream-partitioner.ts'
import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

/** Options of `repartition()`: topic name, partition count, serdes, partitioner (Kafka `Repartitioned`). */
export class Repartitioned<K, V> {
  readonly name: string | undefined
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly numberOfPartitions: number | undefined
  readonly partitioner: StreamPartitioner<K, V> | undefined

  private constructor(
    fields: Partial<
      Pick<Repartitioned<K, V>, 'name' | 'keySerde' | 'valueSerde' | 'numberOfPartitions' | 'partitioner'>
    >,
  ) {
    if (fields.name !== undefined) validateName(fields.name)
    if (
      fields.numberOfPartitions !== undefined &&
      (!Number.isInteger(fields.numberOfPartitions) || fields.numberOfPartitions < 1)
    ) {
      throw new RangeError(`numberOfPartitions must be a positive integer, got ${fields.numberOfPartitions}`)
    }
    this.name = fields.name
    this.keySerde = fields.keySerde
    this.valueSerde = fields.valueSerde
    this.numberOfPartitions = fields.numberOfPartitions
    this.partitioner = fields.partitioner
  }

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ name })
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ keySerde, valueSerde })
  }

  static numberOfPartitions<K, V>(numberOfPartitions: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ numberOfPartitions })
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>({ partitioner })
  }

  #copy(
    change: Partial<
      Pick<Repartitioned<K, V>, 'name' | 'keySerde' | 'valueSerde' | 'numberOfPartitions' | 'partitioner'>
    >,
  ): Repartitioned<K, V> {
    const fields: Fields<
      Pick<Repartitioned<K, V>, 'name' | 'keySerde' | 'valueSerde' | 'numberOfPartitions' | 'partitioner'>
    > = {}
    if (this.name !== undefined) fields.name = this.name
    if (this.keySerde) fields.keySerde = this.keySerde
    if (this.valueSerde) fields.valueSerde = this.valueSerde
    if (this.numberOfPartitions !== undefined) fields.numberOfPartitions = this.numberOfPartitions
    if (this.partitioner) fields.partitioner = this.partitioner
    return new Repartitioned<K, V>({ ...fields, ...change })
  }

  withName(name: string): Repartitioned<K, V> {
    return this.#copy({ name })
  }

  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return this.#copy({ keySerde })
  }

  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return this.#copy({ valueSerde })
  }

  withNumberOfPartitions(numberOfPartitions: number): Repartitioned<K, V> {
    return this.#copy({ numberOfPartitions })
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return this.#copy({ partitioner })
  }
}

/** The optional fields of an options object, writable while it is assembled. */
type Fields<T> = { -readonly [P in keyof T]?: T[P] }
