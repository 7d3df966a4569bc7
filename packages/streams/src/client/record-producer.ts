import { ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka'
import type { Headers } from '../header/headers.ts'
import { KafkaClientError, tpKey } from './kafka-client.ts'

export interface RecordProducerOptions {
  readonly clientId: string
  readonly bootstrapServers: readonly string[]
  readonly requestTimeoutMs: number
}

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>

/**
 * The stream thread's producer: an idempotent, acks=all producer that batches by itself. `send` only
 * queues; one request is in flight at a time and carries everything queued meanwhile, so records of a
 * partition stay in order. `flush` waits until all is acknowledged and returns the offset of the last
 * record acknowledged per partition since the previous flush (the changelog offsets stores record).
 */
export class RecordProducer {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>
  #queued: Message[] = []
  #sending: Promise<void> | undefined
  #failure: Error | undefined
  #acked = new Map<string, number>()

  constructor(options: RecordProducerOptions) {
    this.#producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapServers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      timeout: options.requestTimeoutMs,
      retries: 30,
      retryDelay: 500,
      autocreateTopics: false,
    })
  }

  send(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: Headers,
    timestamp: number,
  ): void {
    if (this.#failure) throw this.#failure
    const message: Message = { topic, partition, timestamp: BigInt(timestamp) }
    if (key !== null) message.key = key
    if (value !== null) message.value = value
    if (headers.size > 0) {
      // a Map keyed by distinct Buffer objects keeps repeated header keys
      const map = new Map<Buffer, Buffer>()
      for (const header of headers) map.set(Buffer.from(header.key, 'utf8'), header.value ?? Buffer.alloc(0))
      message.headers = map
    }
    this.#queued.push(message)
  }

  /** Sends what is queued if no request is in flight. */
  pump(): void {
    if (this.#sending || this.#queued.length === 0 || this.#failure) return
    const messages = this.#queued
    this.#queued = []
    this.#sending = this.#producer
      .send({ messages })
      .then((result) => {
        const counts = new Map<string, number>()
        for (const m of messages) {
          const key = tpKey(m.topic, m.partition as number)
          counts.set(key, (counts.get(key) ?? 0) + 1)
        }
        for (const { topic, partition, offset } of result.offsets ?? []) {
          const key = tpKey(topic, partition)
          const last = Number(offset) + (counts.get(key) ?? 1) - 1
          if (last > (this.#acked.get(key) ?? -1)) this.#acked.set(key, last)
        }
      })
      .catch((error: unknown) => {
        this.#failure = new KafkaClientError(
          `Sending ${messages.length} records to ${[...new Set(messages.map((m) => m.topic))].join(', ')} failed: ` +
            `${(error as Error).message}`,
          -1,
          { cause: error },
        )
      })
      .finally(() => {
        this.#sending = undefined
        this.pump()
      })
  }

  /** Sends everything queued and waits for it; the last acknowledged offset per partition since the last flush. */
  async flush(): Promise<Map<string, number>> {
    this.pump()
    while (this.#sending) {
      await this.#sending
      this.pump()
    }
    if (this.#failure) throw this.#failure
    const acked = this.#acked
    this.#acked = new Map()
    return acked
  }

  async close(): Promise<void> {
    try {
      await this.flush()
    } finally {
      await this.#producer.close()
    }
  }
}
