// Reads an output topic of an example from its beginning (or only what comes next) and hands each record,
// decoded with kstreams' serdes, to a callback: what the examples print, and what their integration tests check. It is a plain
// consumer (its own group, read_committed), as any application reading Kafka Streams' output would be.
import { randomUUID } from 'node:crypto'
import { Consumer, MessagesStreamModes, type Message, type MessagesStream } from '@platformatic/kafka'
import type { Serde } from '@kstreams/streams'

export interface ReadRecord<K, V> {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly key: K | null
  /** null for a tombstone (for windowed tables: a window replaced by a merged session, for instance). */
  readonly value: V | null
  readonly timestamp: number
}

export interface ReaderOptions<K, V> {
  readonly onRecord: (record: ReadRecord<K, V>) => void
  /** A record the serdes cannot decode, or a callback that threw, or a failed fetch: reading stops. */
  readonly onError?: (error: Error) => void
  /** Where reading starts: at the topic's first record (the default), or at its end (new records only). */
  readonly from?: 'earliest' | 'latest'
}

export class TopicReader<K, V> {
  readonly #consumer: Consumer
  readonly #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
  readonly #done: Promise<void>
  #closed = false

  private constructor(
    consumer: Consumer,
    stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    { onRecord, onError }: ReaderOptions<K, V>,
  ) {
    this.#consumer = consumer
    this.#stream = stream
    const keys = keySerde.deserializer()
    const values = valueSerde.deserializer()
    const decode = (message: Message): ReadRecord<K, V> => ({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      // the client gives undefined for a null key or value
      key: message.key === undefined ? null : keys.deserialize(message.topic, message.key),
      value: message.value === undefined ? null : values.deserialize(message.topic, message.value),
      timestamp: Number(message.timestamp),
    })
    this.#done = (async () => {
      try {
        for await (const message of stream) onRecord(decode(message))
      } catch (error) {
        if (this.#closed) return
        onError?.(error as Error)
        throw error
      }
    })()
    // a failure is reported to onError and again by close(); it must not be an unhandled rejection
    this.#done.catch(() => undefined)
  }

  /** Starts reading `topic` (from its first record by default); resolves once the consumer has joined its group. */
  static async start<K, V>(
    bootstrapServers: readonly string[],
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: ReaderOptions<K, V>,
  ): Promise<TopicReader<K, V>> {
    const consumer = new Consumer({
      clientId: `reader-${topic}`,
      groupId: `reader-${topic}-${randomUUID()}`,
      bootstrapBrokers: [...bootstrapServers],
      timeout: 10_000,
    })
    try {
      const stream = await consumer.consume({
        topics: [topic],
        mode: options.from === 'latest' ? MessagesStreamModes.LATEST : MessagesStreamModes.EARLIEST,
        autocommit: false,
        maxWaitTime: 200,
      })
      return new TopicReader(consumer, stream, keySerde, valueSerde, options)
    } catch (error) {
      await consumer.close(true)
      throw error
    }
  }

  /** Stops reading and leaves the group; rejects if reading had failed (a record the serdes cannot decode). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.#stream.close()
      await this.#done
    } finally {
      await this.#consumer.close(true)
    }
  }
}
