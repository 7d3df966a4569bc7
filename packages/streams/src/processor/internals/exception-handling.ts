import {
  HandlerResponse,
  isRetriable,
  ProductionHandlerResponse,
  type DeadLetterRecord,
  type ErrorHandlerContext,
  type HandlerResult,
  type ProducedRecord,
  type RawRecord,
  type SerializationExceptionOrigin,
} from '../../errors/exception-handlers.ts'
import { FailedProcessingException } from '../../errors/internals/failed-processing-exception.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import { Headers } from '../../header/headers.ts'
import type { StreamsConfig } from '../../streams-config.ts'
import type { TaskId } from '../task-id.ts'
import type { RecordCollector } from './record-collector.ts'

/**
 * What handling an error needs of the task it happened in: its config (the handlers), its collector (for
 * dead-letter records), its dropped-records counter and the context of the record being processed. A
 * task's `ProcessorContextImpl` (`task.context`) is one.
 */
export interface ErrorHandlingContext {
  readonly taskId: TaskId
  readonly config: StreamsConfig
  readonly collector: RecordCollector
  droppedRecords: number
  errorHandlerContext(processorNodeId: string): ErrorHandlerContext
  currentSystemTimeMs(): number
}

/**
 * The runtime's handling of a send that failed for good (Kafka `RecordCollectorImpl.recordSendError`, minus
 * the fatal and fencing errors, which the caller sorts out before): asks the configured production handler,
 * sends the dead-letter records it returns through the task's collector (whatever the response, as Kafka
 * does), counts the record in the task's dropped records on CONTINUE, and returns the decision:
 *
 * - CONTINUE: the record is lost, processing goes on (its offset is not recorded);
 * - FAIL: the caller fails (a `StreamsException` with the send error as cause);
 * - RETRY: only returned for a retriable error (see `isRetriable`; RETRY for any other error is FAIL): the
 *   caller sends again, or, like Kafka, treats the task as corrupted and resumes from the last commit.
 *
 * The handler's `ErrorHandlerContext` is the task's current record context (Kafka does the same: the send
 * completes after its record was processed), with `processorNodeId` the sink's name when known.
 * Throws a `StreamsException` when the handler itself throws or answers something else; the collector's own
 * error when a dead-letter record cannot be queued.
 */
export function handleProductionError(
  context: ErrorHandlingContext,
  record: ProducedRecord,
  error: unknown,
  processorNodeId = '',
): ProductionHandlerResponse {
  let result: unknown
  try {
    result = context.config.productionExceptionHandler(context.errorHandlerContext(processorNodeId), record, error)
  } catch (userError) {
    throw new StreamsException(
      `Fatal user code error in production error callback (record for topic ${record.topic}): ` + messageOf(userError),
      { cause: userError },
    )
  }
  let response = settle<ProductionHandlerResponse>(context, result, productionResponses, 'productionExceptionHandler')
  if (response === ProductionHandlerResponse.RETRY && !isRetriable(error)) response = ProductionHandlerResponse.FAIL
  if (response === ProductionHandlerResponse.CONTINUE) context.droppedRecords++
  return response
}

/**
 * A sink's key or value failed to serialize (Kafka `RecordCollectorImpl.handleException`, KIP-399): the
 * production handler decides. CONTINUE drops the record (counted), FAIL (and RETRY, meaningless here) throws
 * a `FailedProcessingException` naming the topic, the sink and the cause, which no processing handler
 * handles again.
 */
export function handleSerializationError(
  context: ErrorHandlingContext,
  sinkName: string,
  topic: string,
  key: unknown,
  value: unknown,
  headers: Headers,
  timestamp: number,
  origin: SerializationExceptionOrigin,
  error: unknown,
): void {
  const record: ProducedRecord = {
    topic,
    key: null,
    value: null,
    headers,
    timestamp,
    unserializedKey: key,
    unserializedValue: value,
  }
  let result: unknown
  try {
    result = context.config.productionExceptionHandler(context.errorHandlerContext(sinkName), record, error, origin)
  } catch (userError) {
    throw new FailedProcessingException(
      `Fatal user code error in production error callback after failing to serialize the ${origin.toLowerCase()} ` +
        `of a record for topic ${topic} in sink ${sinkName}: ${messageOf(userError)}`,
      sinkName,
      userError,
    )
  }
  const response = settle<ProductionHandlerResponse>(context, result, productionResponses, 'productionExceptionHandler')
  if (response === ProductionHandlerResponse.CONTINUE) {
    context.droppedRecords++
    return
  }
  throw new FailedProcessingException(
    `Error serializing the ${origin.toLowerCase()} of a record for topic ${topic} in sink ${sinkName} ` +
      `(check the serdes given to to()/Produced or the default serdes; productionExceptionHandler 'continue' ` +
      `drops such records): ${messageOf(error)}`,
    sinkName,
    error,
  )
}

/**
 * A consumed record failed to deserialize (Kafka `RecordDeserializer.handleDeserializationFailure`): the
 * deserialization handler decides. CONTINUE skips the record (counted), FAIL throws a `StreamsException`
 * naming its topic, partition and offset.
 */
export function handleDeserializationError(
  context: ErrorHandlingContext,
  sourceNodeName: string,
  raw: RawRecord,
  error: unknown,
): void {
  const handlerContext: ErrorHandlerContext = {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    headers: raw.headers,
    timestamp: raw.timestamp,
    processorNodeId: sourceNodeName,
    taskId: context.taskId,
    sourceRawKey: raw.key,
    sourceRawValue: raw.value,
  }
  let result: unknown
  try {
    result = context.config.deserializationExceptionHandler(handlerContext, raw, error)
  } catch (userError) {
    throw new StreamsException(
      `Fatal user code error in deserialization error callback (topic ${raw.topic}, partition ${raw.partition}, ` +
        `offset ${raw.offset}): ${messageOf(userError)}`,
      { cause: userError },
    )
  }
  const response = settle<HandlerResponse>(context, result, handlerResponses, 'defaultDeserializationExceptionHandler')
  if (response === HandlerResponse.FAIL) {
    throw new StreamsException(
      `Deserialization exception handler is set to fail upon a deserialization error ` +
        `(topic ${raw.topic}, partition ${raw.partition}, offset ${raw.offset}): ${messageOf(error)}. If you would ` +
        `rather have the streaming pipeline continue after a deserialization error, set ` +
        `defaultDeserializationExceptionHandler to 'logAndContinue'.`,
      { cause: error },
    )
  }
  context.droppedRecords++
}

/**
 * A processor or a punctuator (record null) threw (Kafka `ProcessorNode.process`, `StreamTask.punctuate`,
 * KIP-1033): the processing handler decides. CONTINUE drops the record (counted), FAIL throws a
 * `FailedProcessingException` naming the task, processor and record.
 */
export function handleProcessingError(
  context: ErrorHandlingContext,
  processorNodeId: string,
  record: { readonly key: unknown; readonly value: unknown; readonly timestamp: number } | null,
  error: unknown,
): void {
  const handlerContext = context.errorHandlerContext(processorNodeId)
  let result: unknown
  try {
    result = context.config.processingExceptionHandler(handlerContext, record, error)
  } catch (userError) {
    throw new FailedProcessingException(
      `Fatal user code error in processing error callback (processor ${processorNodeId}): ${messageOf(userError)}`,
      processorNodeId,
      userError,
    )
  }
  const response = settle<HandlerResponse>(context, result, handlerResponses, 'processingExceptionHandler')
  if (response === HandlerResponse.FAIL) {
    if (record === null) {
      throw new FailedProcessingException(
        `Exception caught while punctuating processor ${processorNodeId}, taskId=${context.taskId.toString()}: ` +
          messageOf(error),
        processorNodeId,
        error,
      )
    }
    throw new FailedProcessingException(
      `Exception caught in process. taskId=${context.taskId.toString()}, processor=${processorNodeId}, ` +
        `topic=${handlerContext.topic ?? 'null'}, partition=${handlerContext.partition}, ` +
        `offset=${handlerContext.offset}: ${messageOf(error)}`,
      processorNodeId,
      error,
    )
  }
  context.droppedRecords++
}

const handlerResponses: readonly string[] = [HandlerResponse.CONTINUE, HandlerResponse.FAIL]
const productionResponses: readonly string[] = [
  ProductionHandlerResponse.CONTINUE,
  ProductionHandlerResponse.FAIL,
  ProductionHandlerResponse.RETRY,
]

/** The response of a handler's result, after sending the dead-letter records it carries. */
function settle<R extends string>(
  context: ErrorHandlingContext,
  result: unknown,
  allowed: readonly string[],
  configKey: string,
): R {
  const response = typeof result === 'object' && result !== null ? (result as HandlerResult<R>).response : result
  if (typeof response !== 'string' || !allowed.includes(response)) {
    throw new StreamsException(
      `Invalid ${configKey} response ${String(JSON.stringify(response))}: a handler returns one of ` +
        `${allowed.join(', ')}, or { response, deadLetterQueueRecords }`,
    )
  }
  const records = typeof result === 'object' ? (result as HandlerResult<R>).deadLetterQueueRecords : undefined
  if (records !== undefined) sendDeadLetterRecords(context, records)
  return response as R
}

/** Sends dead-letter records through the task's collector, so they go out with its other output. */
export function sendDeadLetterRecords(context: ErrorHandlingContext, records: readonly DeadLetterRecord[]): void {
  for (const record of records) {
    context.collector.send(
      record.topic,
      record.key,
      record.value,
      record.headers ?? new Headers(),
      record.timestamp ?? context.currentSystemTimeMs(),
      record.partition ?? null,
    )
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
