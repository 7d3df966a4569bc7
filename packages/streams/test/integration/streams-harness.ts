// Helpers of the runtime's integration tests: topics, a producer of keyed records, a reader of a
// whole topic, and waiting for a condition.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KafkaClient, tpKey } from '../../src/client/kafka-client.ts'
import { PartitionFetcher } from '../../src/client/partition-fetcher.ts'
import { RecordProducer } from '../../src/client/record-producer.ts'
import { Headers } from '../../src/index.ts'
import type { RawRecord } from '../../src/errors/exception-handlers.ts'
import { defaultPartition } from '../../src/processor/internals/default-partitioner.ts'
import { bootstrapServers } from './kafka-env.ts'

export function client(servers: readonly string[] = bootstrapServers()): KafkaClient {
  return new KafkaClient({ clientId: 'test-admin', bootstrapServers: servers, requestTimeoutMs: 10_000 })
}

export async function createTopics(admin: KafkaClient, partitions: number, ...names: string[]): Promise<void> {
  await admin.createTopics(names.map((name) => ({ name, partitions, replicationFactor: -1, configs: {} })))
  await topicsReady(admin, partitions, names)
}

export async function topicsReady(admin: KafkaClient, partitions: number, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await waitFor(async () => (await admin.partitionCounts([name])).get(name) === partitions, 10_000, `topic ${name}`)
  }
}

export function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'kstreams-it-'))
}

/** Sends string-keyed records, partitioned as Java's producer would. */
export class TestProducer {
  readonly #producer: RecordProducer
  readonly #partitions: number

  constructor(partitions: number, servers: readonly string[] = bootstrapServers()) {
    this.#partitions = partitions
    this.#producer = new RecordProducer({
      client: new KafkaClient({ clientId: 'test-producer', bootstrapServers: servers, requestTimeoutMs: 10_000 }),
      requestTimeoutMs: 10_000,
    })
  }

  send(topic: string, key: string, value: Buffer | string, timestamp: number): void {
    const keyBytes = Buffer.from(key, 'utf8')
    const valueBytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    this.#producer.send(
      topic,
      defaultPartition(keyBytes, this.#partitions),
      keyBytes,
      valueBytes,
      new Headers(),
      timestamp,
    )
  }

  async flush(): Promise<void> {
    await this.#producer.flush()
  }

  async close(): Promise<void> {
    await this.#producer.close()
  }
}

/** Every record of a topic from the start, read until `count` arrived or nothing came for `quietMs`. */
export async function readAll(
  admin: KafkaClient,
  topic: string,
  options: { count?: number; quietMs?: number; timeoutMs?: number; readCommitted?: boolean } = {},
): Promise<RawRecord[]> {
  const partitions = (await admin.partitionCounts([topic])).get(topic) ?? 0
  const readCommitted = options.readCommitted ?? false
  const fetcher = new PartitionFetcher(admin, {
    readCommitted,
    maxWaitMs: 200,
    maxBytes: 50 * 1024 * 1024,
    partitionMaxBytes: 5 * 1024 * 1024,
  })
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  fetcher.assign(tps)
  for (const tp of tps) fetcher.seek(tp.topic, tp.partition, 0)
  const records: RawRecord[] = []
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  let lastData = Date.now()
  try {
    while (Date.now() < deadline) {
      const batch = await fetcher.poll(200)
      for (const list of batch.values()) records.push(...list)
      if (batch.size > 0) lastData = Date.now()
      if (options.count !== undefined && records.length >= options.count) break
      if (options.count === undefined && Date.now() - lastData > (options.quietMs ?? 2000)) {
        const ends = await admin.listOffsets(tps, 'latest', readCommitted)
        if (
          tps.every(
            (tp) => (fetcher.position(tp.topic, tp.partition) ?? 0) >= (ends.get(tpKey(tp.topic, tp.partition)) ?? 0),
          )
        )
          break
      }
    }
  } finally {
    await fetcher.close()
  }
  return records
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The last value per (string) key of a topic, decoded; counts are Java longs by default. */
export async function lastValues<T = number>(
  admin: KafkaClient,
  topic: string,
  decode: (value: Buffer) => T = (value) => Number(value.readBigInt64BE(0)) as T,
  quietMs = 300,
  readCommitted = false,
): Promise<Map<string, T>> {
  const values = new Map<string, T>()
  for (const r of await readAll(admin, topic, { quietMs, readCommitted }))
    values.set((r.key as Buffer).toString(), decode(r.value as Buffer))
  return values
}
