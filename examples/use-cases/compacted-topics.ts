// Topics that hold a table's changelog (the latest value per key matters, older ones may go): created with
// cleanup.policy=compact, so the broker keeps at least the last record of every key and a reader from the
// beginning still sees the whole table, however long the application has run.
import { Admin } from '@platformatic/kafka'
import { createTopics } from '../support/kafka.ts'

/** Creates the topics that do not exist yet as compacted topics, and waits until the cluster shows them. */
export async function createCompactedTopics(
  bootstrapServers: readonly string[],
  topics: readonly string[],
  partitions = 3,
): Promise<void> {
  const admin = new Admin({ clientId: 'examples-admin', bootstrapBrokers: [...bootstrapServers], timeout: 10_000 })
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((topic) => !existing.has(topic))
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing,
        partitions,
        replicas: 1,
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      })
    }
  } finally {
    await admin.close()
  }
  await createTopics(bootstrapServers, topics, partitions)
}
