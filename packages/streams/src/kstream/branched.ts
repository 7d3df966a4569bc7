import type { KStream } from './kstream.ts'

/** A branch of `split()`: its name suffix and what to do with the branch stream (Kafka `Branched`). */
export class Branched<K, V> {
  readonly name: string | undefined
  readonly chainFunction: ((stream: KStream<K, V>) => KStream<K, V> | undefined | null) | undefined
  readonly chainConsumer: ((stream: KStream<K, V>) => void) | undefined

  private constructor(
    name: string | undefined,
    fn?: (stream: KStream<K, V>) => KStream<K, V> | undefined | null,
    consumer?: (stream: KStream<K, V>) => void,
  ) {
    this.name = name
    this.chainFunction = fn
    this.chainConsumer = consumer
  }

  static as<K, V>(name: string): Branched<K, V> {
    return new Branched<K, V>(name)
  }

  static withFunction<K, V>(
    fn: (stream: KStream<K, V>) => KStream<K, V> | undefined | null,
    name?: string,
  ): Branched<K, V> {
    return new Branched<K, V>(name, fn)
  }

  static withConsumer<K, V>(consumer: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, consumer)
  }
}
