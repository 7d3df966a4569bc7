import type { Serde } from '../serde/serde.ts'
import { validateName } from './named.ts'

interface Fields<K, V, VO> {
  keySerde?: Serde<K> | undefined
  valueSerde?: Serde<V> | undefined
  otherValueSerde?: Serde<VO> | undefined
  name?: string | undefined
  storeName?: string | undefined
  loggingEnabled?: boolean
  topicConfig?: { readonly [key: string]: string }
}

/** Options of a stream-stream join: serdes, processor and store names, changelog (Kafka `StreamJoined`). */
export class StreamJoined<K, V, VO> {
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly otherValueSerde: Serde<VO> | undefined
  readonly name: string | undefined
  readonly storeName: string | undefined
  readonly loggingEnabled: boolean
  readonly topicConfig: { readonly [key: string]: string }

  private constructor(fields: Fields<K, V, VO>) {
    if (fields.name !== undefined) validateName(fields.name)
    if (fields.storeName !== undefined) validateName(fields.storeName)
    this.keySerde = fields.keySerde
    this.valueSerde = fields.valueSerde
    this.otherValueSerde = fields.otherValueSerde
    this.name = fields.name
    this.storeName = fields.storeName
    this.loggingEnabled = fields.loggingEnabled ?? true
    this.topicConfig = fields.topicConfig ?? {}
  }

  static with<K, V, VO>(
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    otherValueSerde?: Serde<VO>,
  ): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({ keySerde, valueSerde, otherValueSerde })
  }

  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({ storeName })
  }

  #copy(change: Fields<K, V, VO>): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>({
      keySerde: this.keySerde,
      valueSerde: this.valueSerde,
      otherValueSerde: this.otherValueSerde,
      name: this.name,
      storeName: this.storeName,
      loggingEnabled: this.loggingEnabled,
      topicConfig: this.topicConfig,
      ...change,
    })
  }

  withName(name: string): StreamJoined<K, V, VO> {
    return this.#copy({ name })
  }

  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return this.#copy({ storeName })
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V, VO> {
    return this.#copy({ keySerde })
  }

  withValueSerde(valueSerde: Serde<V>): StreamJoined<K, V, VO> {
    return this.#copy({ valueSerde })
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return this.#copy({ otherValueSerde })
  }

  withLoggingEnabled(config: { readonly [key: string]: string } = {}): StreamJoined<K, V, VO> {
    return this.#copy({ loggingEnabled: true, topicConfig: config })
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return this.#copy({ loggingEnabled: false, topicConfig: {} })
  }
}
