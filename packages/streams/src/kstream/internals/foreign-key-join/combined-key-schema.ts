import { StreamsException } from '../../../errors/streams-exception.ts'
import type { Headers } from '../../../header/headers.ts'
import type { Deserializer, Serde, Serializer } from '../../../serde/serde.ts'
import { defaultSerdes } from './default-serdes.ts'
import type { ProcessingContext } from '../../../processor/api/processor.ts'

/** Kafka `CombinedKey`: a subscription's key in the subscription store, foreign key then primary key. */
export interface CombinedKey<KO, K> {
  readonly foreignKey: KO | null
  readonly primaryKey: K
}

/**
 * Kafka `CombinedKeySchema`: the subscription store's key bytes, `{4 bytes foreign key length}{foreign
 * key}{primary key}`, so that all subscriptions to one foreign key share a prefix and one prefix scan
 * finds them (in the order of their serialized primary keys). The keys go through the right table's key
 * serde and the left table's key serde (the default key serde for either when not given), under the
 * pseudo topics `<applicationId>-<subscription topic>-fk` and `-pk`.
 */
export class CombinedKeySchema<KO, K> {
  readonly #foreignKeyTopic: () => string
  readonly #primaryKeyTopic: () => string
  readonly #foreignKeySerde: Serde<KO> | undefined
  readonly #primaryKeySerde: Serde<K> | undefined
  #fkTopic = ''
  #pkTopic = ''
  #fkSerializer: Serializer<KO> | undefined
  #fkDeserializer: Deserializer<KO> | undefined
  #pkSerializer: Serializer<K> | undefined
  #pkDeserializer: Deserializer<K> | undefined

  constructor(
    foreignKeyTopic: () => string,
    foreignKeySerde: Serde<KO> | undefined,
    primaryKeyTopic: () => string,
    primaryKeySerde: Serde<K> | undefined,
  ) {
    this.#foreignKeyTopic = foreignKeyTopic
    this.#foreignKeySerde = foreignKeySerde
    this.#primaryKeyTopic = primaryKeyTopic
    this.#primaryKeySerde = primaryKeySerde
  }

  /** Resolves the pseudo topics and, for keys without a serde, the default key serde. */
  init(context: ProcessingContext): void {
    this.#fkTopic = this.#foreignKeyTopic()
    this.#pkTopic = this.#primaryKeyTopic()
    const fallback = defaultSerdes(context).keySerde
    const foreign = (this.#foreignKeySerde ?? fallback) as Serde<KO> | undefined
    const primary = (this.#primaryKeySerde ?? fallback) as Serde<K> | undefined
    if (!foreign || !primary)
      throw new StreamsException(
        'no key serde for the subscription store of a foreign-key join: set defaultKeySerde or give both tables key serdes',
      )
    this.#fkSerializer = foreign.serializer()
    this.#fkDeserializer = foreign.deserializer()
    this.#pkSerializer = primary.serializer()
    this.#pkDeserializer = primary.deserializer()
  }

  toBytes(foreignKey: KO, primaryKey: K, headers?: Headers): Buffer {
    const fk = (this.#fkSerializer as Serializer<KO>).serialize(this.#fkTopic, foreignKey, headers) ?? Buffer.alloc(0)
    const pk = (this.#pkSerializer as Serializer<K>).serialize(this.#pkTopic, primaryKey, headers) ?? Buffer.alloc(0)
    const out = Buffer.allocUnsafe(4 + fk.length + pk.length)
    out.writeInt32BE(fk.length, 0)
    fk.copy(out, 4)
    pk.copy(out, 4 + fk.length)
    return out
  }

  fromBytes(data: Buffer): CombinedKey<KO, K> {
    const fkLength = data.readInt32BE(0)
    const foreignKey = (this.#fkDeserializer as Deserializer<KO>).deserialize(
      this.#fkTopic,
      data.subarray(4, 4 + fkLength),
    )
    return { foreignKey, primaryKey: this.primaryKeyFromBytes(data) }
  }

  /** The primary key alone, which is all a prefix scan's results need: the foreign key is not deserialized. */
  primaryKeyFromBytes(data: Buffer): K {
    const fkLength = data.readInt32BE(0)
    return (this.#pkDeserializer as Deserializer<K>).deserialize(this.#pkTopic, data.subarray(4 + fkLength)) as K
  }

  prefixBytes(foreignKey: KO, headers?: Headers): Buffer {
    const fk = (this.#fkSerializer as Serializer<KO>).serialize(this.#fkTopic, foreignKey, headers) ?? Buffer.alloc(0)
    const out = Buffer.allocUnsafe(4 + fk.length)
    out.writeInt32BE(fk.length, 0)
    fk.copy(out, 4)
    return out
  }
}
