import type { StreamPartitioner } from '../processor/stream-partitioner.ts'
import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

/** How records are written to a topic: serdes, partitioner, sink name (Kafka `Produced`). */
export class Produced<K, V> {
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly partitioner: StreamPartitioner<K, V> | undefined
  readonly name: string | undefined

  private constructor(
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    partitioner?: StreamPartitioner<K, V>,
    name?: string,
  ) {
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.partitioner = partitioner
    this.name = name
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, partitioner)
  }

  static as<K, V>(name: string): Produced<K, V> {
    validateName(name)
    return new Produced<K, V>(undefined, undefined, undefined, name)
  }

  static keySerde<K, V>(keySerde: Serde<K>): Produced<K, V> {
    return new Produced<K, V>(keySerde)
  }

  static valueSerde<K, V>(valueSerde: Serde<V>): Produced<K, V> {
    return new Produced<K, V>(undefined, valueSerde)
  }

  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, partitioner)
  }

  withKeySerde(keySerde: Serde<K>): Produced<K, V> {
    return new Produced(keySerde, this.valueSerde, this.partitioner, this.name)
  }

  withValueSerde(valueSerde: Serde<V>): Produced<K, V> {
    return new Produced(this.keySerde, valueSerde, this.partitioner, this.name)
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name)
  }

  withName(name: string): Produced<K, V> {
    validateName(name)
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, name)
  }
}
