import { StreamsError } from './streams-error.ts'

/** Processing failed; the message names the task, processor and record (Kafka `StreamsException`). */
export class StreamsException extends StreamsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KSTREAMS_PROCESSING', message, options)
  }
}
