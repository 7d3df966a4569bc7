// Topics of the benchmark: created with the same partition count, and deleted after each run (outputs and the
// internal topics of the run's application id) so that a long run does not fill the broker's disk.
import { Admin } from '@platformatic/kafka'
import { KafkaClient } from '../../packages/streams/src/client/kafka-client.ts'
import { RecordProducer } from '../../packages/streams/src/client/record-producer.ts'

export class Cluster {
  readonly bootstrapServers: string
  readonly partitions: number
  readonly #admin: Admin

  constructor(bootstrapServers: string, partitions: number) {
    this.bootstrapServers = bootstrapServers
    this.partitions = partitions
    this.#admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: bootstrapServers.split(',') })
  }

  async createTopics(...names: string[]): Promise<void> {
    await this.#admin.createTopics({ topics: names, partitions: this.partitions, replicas: -1 })
    // metadata may lag behind creation
    for (let attempt = 0; ; attempt++) {
      const known = new Set(await this.#admin.listTopics())
      if (names.every((name) => known.has(name))) return
      if (attempt > 100) throw new Error(`topics not visible after creation: ${names.join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Deletes the named topics and every topic starting with one of the prefixes. */
  async deleteTopics(names: readonly string[], prefixes: readonly string[] = []): Promise<void> {
    const existing = await this.#admin.listTopics()
    const doomed = existing.filter((t) => names.includes(t) || prefixes.some((prefix) => t.startsWith(prefix)))
    if (doomed.length > 0) await this.#admin.deleteTopics({ topics: doomed })
  }

  /** A producer writing explicit partitions in batches (the kstreams client's). */
  producer(clientId: string): RecordProducer {
    return new RecordProducer({
      client: new KafkaClient({
        clientId,
        bootstrapServers: this.bootstrapServers.split(','),
        requestTimeoutMs: 30_000,
      }),
      requestTimeoutMs: 30_000,
    })
  }

  async close(): Promise<void> {
    await this.#admin.close()
  }
}
