import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { KafkaClient } from '../../src/client/kafka-client.ts'
import { PartitionFetcher } from '../../src/client/partition-fetcher.ts'

/** A port on which nothing listens: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

test('a poll while no broker answers returns nothing and keeps the partitions, instead of failing', async (t) => {
  const client = new KafkaClient({
    clientId: 'fetcher-test',
    bootstrapServers: [`127.0.0.1:${await closedPort()}`],
    requestTimeoutMs: 1000,
  })
  t.after(() => client.close())
  const fetcher = new PartitionFetcher(client, {
    readCommitted: true,
    maxWaitMs: 100,
    maxBytes: 1024 * 1024,
    partitionMaxBytes: 1024 * 1024,
  })
  fetcher.assign([{ topic: 'input', partition: 0 }])
  fetcher.seek('input', 0, 42)
  for (let i = 0; i < 3; i++) assert.equal((await fetcher.poll(50)).size, 0)
  assert.equal(fetcher.position('input', 0), 42)
  await fetcher.close()
})
