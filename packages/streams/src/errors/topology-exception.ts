import { StreamsError } from './streams-error.ts'

/** The topology is wrong: thrown while it is built, before anything runs (Kafka `TopologyException`). */
export class TopologyException extends StreamsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KSTREAMS_TOPOLOGY', `Invalid topology: ${message}`, options)
  }
}
