// What the examples need around their topologies: a Kafka to run against (the local one from Maven Central
// jars, unless KAFKA_BOOTSTRAP_SERVERS names a cluster), their topics, and a producer of JSON records for
// their data generators. Topic creation and producing go through @platformatic/kafka directly, as an
// application would; kstreams itself only creates its internal topics.
import { Admin, compatibilityPartitioner, Producer, ProduceAcks } from '@platformatic/kafka'
import { LocalKafka } from '../../scripts/kafka/local-kafka.ts'

export interface KafkaHandle {
  readonly bootstrapServers: string[]
  /** Stops the local broker when this process started it; nothing otherwise. */
  close(): Promise<void>
}

/** The cluster in KAFKA_BOOTSTRAP_SERVERS, or a single local node started here. */
export async function startKafka(log: (line: string) => void = () => undefined): Promise<KafkaHandle> {
  const configured = process.env.KAFKA_BOOTSTRAP_SERVERS
  if (configured) {
    log(`using Kafka at ${configured}`)
    return { bootstrapServers: configured.split(','), close: () => Promise.resolve() }
  }
  const started = Date.now()
  log('starting a local Kafka (the first run downloads its jars from Maven Central) ...')
  const kafka = await LocalKafka.start({ nodes: 1 })
  log(`local Kafka ${kafka.version} at ${kafka.bootstrapServers}, started in ${Date.now() - started} ms`)
  return { bootstrapServers: kafka.bootstrapServers.split(','), close: () => kafka.close() }
}

/**
 * Creates the topics that do not exist yet, with `config` (topic configs such as `cleanup.policy: compact`), and
 * waits until the cluster's metadata shows them all.
 */
export async function createTopics(
  bootstrapServers: readonly string[],
  topics: readonly string[],
  { partitions = 3, config = {} }: { partitions?: number; config?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  const admin = new Admin({ clientId: 'examples-admin', bootstrapBrokers: [...bootstrapServers], timeout: 10_000 })
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((topic) => !existing.has(topic))
    if (missing.length > 0) {
      const configs = Object.entries(config).map(([name, value]) => ({ name, value }))
      await admin.createTopics({ topics: missing, partitions, replicas: 1, configs })
    }
    for (const deadline = Date.now() + 30_000; ;) {
      const listed = new Set(await admin.listTopics())
      if (topics.every((topic) => listed.has(topic))) return
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} did not appear within 30 s`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } finally {
    await admin.close()
  }
}

/**
 * Writes records with string keys and JSON values, the format the examples' topologies read, to the partition
 * Java's producer would choose (murmur2 of the key), so that the topics are co-partitioned with those Kafka
 * Streams writes.
 */
export class JsonProducer {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>

  constructor(bootstrapServers: readonly string[]) {
    this.#producer = new Producer({
      clientId: 'examples-producer',
      bootstrapBrokers: [...bootstrapServers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      partitioner: compatibilityPartitioner,
      timeout: 10_000,
    })
  }

  /** Sends records and waits until the brokers have them. A null value is a tombstone. */
  async send(topic: string, records: readonly { key: string; value: unknown; timestamp?: number }[]): Promise<void> {
    if (records.length === 0) return
    await this.#producer.send({
      messages: records.map((record) => ({
        topic,
        key: Buffer.from(record.key, 'utf8'),
        ...(record.value === null ? {} : { value: Buffer.from(JSON.stringify(record.value), 'utf8') }),
        timestamp: BigInt(record.timestamp ?? Date.now()),
      })),
    })
  }

  async close(): Promise<void> {
    await this.#producer.close()
  }
}
