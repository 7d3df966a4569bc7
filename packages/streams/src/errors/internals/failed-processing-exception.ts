import { StreamsException } from '../streams-exception.ts'

/**
 * An error an exception handler already decided on (Kafka `FailedProcessingException`): processor nodes
 * up the stack rethrow it untouched instead of handing it to the processing handler again.
 */
export class FailedProcessingException extends StreamsException {
  readonly processorName: string
  constructor(message: string, processorName: string, cause: unknown) {
    super(message, { cause })
    this.processorName = processorName
  }
}
