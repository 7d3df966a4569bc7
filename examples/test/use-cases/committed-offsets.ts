// For the use cases' end-to-end tests: how far a consumer group (a streams application's, or a sink's) has
// committed on a topic, summed over its partitions. Once it equals the number of records in the topic, the
// group has processed them all, and (at least once) written everything they caused before committing.
import { Admin } from '@platformatic/kafka'

export async function committedOffsetTotal(
  bootstrapServers: readonly string[],
  groupId: string,
  topic: string,
): Promise<number> {
  const admin = new Admin({ clientId: 'use-case-tests', bootstrapBrokers: [...bootstrapServers], timeout: 10_000 })
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] })
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? []
    return partitions.reduce((sum, p) => sum + Math.max(0, Number(p.committedOffset)), 0)
  } finally {
    await admin.close()
  }
}
