import { randomUUID } from 'node:crypto'

/** The cluster the test command started (or the one KAFKA_BOOTSTRAP_SERVERS names). */
export function bootstrapServers(): string[] {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS
  if (!servers) {
    throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: run integration tests through `npm test`, which starts Kafka')
  }
  return servers.split(',').map((s) => s.trim())
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}
