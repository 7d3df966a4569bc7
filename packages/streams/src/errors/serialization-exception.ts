import { StreamsError } from './streams-error.ts'

/** A value could not be turned into bytes or back (Kafka `SerializationException`). */
export class SerializationException extends StreamsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KSTREAMS_SERIALIZATION', message, options)
  }
}
