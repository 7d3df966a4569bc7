import type { KafkaClientError } from '../client/kafka-client.ts'
import { Headers } from '../header/headers.ts'
import type { TaskId } from '../processor/task-id.ts'

/** What a deserialization or processing handler tells the runtime to do with a failed record (Kafka `...HandlerResponse`). */
export const HandlerResponse = { CONTINUE: 'CONTINUE', FAIL: 'FAIL' } as const
export type HandlerResponse = (typeof HandlerResponse)[keyof typeof HandlerResponse]

/**
 * What a production handler tells the runtime (Kafka `ProductionExceptionHandler.Result`): CONTINUE drops the
 * record, FAIL stops the thread, RETRY sends again. RETRY only applies to retriable send errors; for other
 * errors and for serialization errors it means FAIL, as in Kafka.
 */
export const ProductionHandlerResponse = { CONTINUE: 'CONTINUE', FAIL: 'FAIL', RETRY: 'RETRY' } as const
export type ProductionHandlerResponse = (typeof ProductionHandlerResponse)[keyof typeof ProductionHandlerResponse]

/** Which part of a record failed to serialize (Kafka `SerializationExceptionOrigin`, KIP-399). */
export type SerializationExceptionOrigin = 'KEY' | 'VALUE'

/**
 * Where the failure happened (Kafka `ErrorHandlerContext`). `sourceRawKey` / `sourceRawValue` are the bytes of
 * the consumed record that is being processed (KIP-1034), null during punctuation and for records a cache or
 * buffer emits on behalf of another record.
 */
export interface ErrorHandlerContext {
  readonly topic: string | null
  readonly partition: number
  readonly offset: number
  readonly headers: Headers
  readonly processorNodeId: string
  readonly taskId: TaskId
  readonly timestamp: number
  readonly sourceRawKey: Buffer | null
  readonly sourceRawValue: Buffer | null
}

/** The raw consumed record that failed to deserialize. */
export interface RawRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
}

/**
 * A record the application tried to write (Kafka's `ProducerRecord` given to the production handler). For a
 * serialization error there are no bytes: `key` and `value` are null and `unserializedKey` /
 * `unserializedValue` hold what failed to serialize.
 */
export interface ProducedRecord {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
  readonly timestamp: number
  /** The partition, when it was chosen before sending. */
  readonly partition?: number
  readonly unserializedKey?: unknown
  readonly unserializedValue?: unknown
}

/**
 * A record to send to a dead-letter queue (KIP-1034). Without a partition the default partitioner picks one;
 * without a timestamp it gets the task's wall-clock time, as Kafka's producer stamps a record without one.
 */
export interface DeadLetterRecord {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers?: Headers
  readonly timestamp?: number
  readonly partition?: number
}

/**
 * A handler's answer with records to send before the runtime acts on it (Kafka's `Response` of KIP-1034).
 * The runtime sends them whatever the response, FAIL included.
 */
export interface HandlerResult<R extends string> {
  readonly response: R
  readonly deadLetterQueueRecords?: readonly DeadLetterRecord[]
}

export type DeserializationHandlerResult = HandlerResponse | HandlerResult<HandlerResponse>
export type ProcessingHandlerResult = HandlerResponse | HandlerResult<HandlerResponse>
export type ProductionHandlerResult = ProductionHandlerResponse | HandlerResult<ProductionHandlerResponse>

/** Decides whether a record that cannot be deserialized stops the application (Kafka `DeserializationExceptionHandler`). */
export type DeserializationExceptionHandler = (
  context: ErrorHandlerContext,
  record: RawRecord,
  error: unknown,
) => DeserializationHandlerResult

/**
 * Decides whether a processor's exception stops the application (Kafka `ProcessingExceptionHandler`,
 * KIP-1033). `record` is null when a punctuator threw.
 */
export type ProcessingExceptionHandler = (
  context: ErrorHandlerContext,
  record: { readonly key: unknown; readonly value: unknown; readonly timestamp: number } | null,
  error: unknown,
) => ProcessingHandlerResult

/**
 * Decides what happens to a record that could not be written (Kafka `ProductionExceptionHandler`): called
 * with `origin` when its key or value failed to serialize (KIP-399 `handleSerializationError`), without it
 * when the send failed (`handleError`, where RETRY applies to retriable errors, KIP-1065).
 */
export type ProductionExceptionHandler = (
  context: ErrorHandlerContext,
  record: ProducedRecord,
  error: unknown,
  origin?: SerializationExceptionOrigin,
) => ProductionHandlerResult

/** Kafka's names of the dead-letter record headers (`ExceptionHandlerUtils`). */
export const DeadLetterQueueHeaders = {
  EXCEPTION: '__streams.errors.exception',
  STACKTRACE: '__streams.errors.stacktrace',
  MESSAGE: '__streams.errors.message',
  TOPIC: '__streams.errors.topic',
  PARTITION: '__streams.errors.partition',
  OFFSET: '__streams.errors.offset',
} as const

/**
 * A dead-letter record for a failure (Kafka `ExceptionHandlerUtils.buildDeadLetterQueueRecord`): the given
 * bytes, the context's timestamp, the failed record's headers followed by the error headers, all UTF-8:
 * exception (the error's class name), message, stacktrace, topic (null during punctuation), partition, offset.
 */
export function buildDeadLetterQueueRecord(
  deadLetterQueueTopicName: string,
  key: Buffer | null,
  value: Buffer | null,
  context: ErrorHandlerContext,
  error: unknown,
): DeadLetterRecord {
  const headers = context.headers.clone()
  headers.add(DeadLetterQueueHeaders.EXCEPTION, errorClassName(error))
  headers.add(DeadLetterQueueHeaders.MESSAGE, error instanceof Error ? error.message : String(error))
  headers.add(
    DeadLetterQueueHeaders.STACKTRACE,
    error instanceof Error ? (error.stack ?? String(error)) : String(error),
  )
  headers.add(DeadLetterQueueHeaders.TOPIC, context.topic)
  headers.add(DeadLetterQueueHeaders.PARTITION, String(context.partition))
  headers.add(DeadLetterQueueHeaders.OFFSET, String(context.offset))
  return { topic: deadLetterQueueTopicName, key, value, headers, timestamp: context.timestamp }
}

/** Java puts the exception's class name here; an error's `name` is ours unless it kept the generic 'Error'. */
function errorClassName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  if (error.name !== 'Error') return error.name
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name
  return typeof constructorName === 'string' && constructorName !== '' ? constructorName : error.name
}

/**
 * Whether a send error may succeed when sent again (Kafka `RetriableException`): a `KafkaClientError`
 * knows from its error code; any error may say so with a `retriable: true` property.
 */
export function isRetriable(error: unknown): boolean {
  return (error as Partial<Pick<KafkaClientError, 'retriable'>> | null)?.retriable === true
}

function describe(context: ErrorHandlerContext): string {
  return `taskId: ${context.taskId.toString()}, topic: ${context.topic ?? 'none'}, partition: ${context.partition}, offset: ${context.offset}`
}

function withDeadLetter<R extends string>(
  response: R,
  deadLetterQueueTopicName: string | undefined,
  key: Buffer | null,
  value: Buffer | null,
  context: ErrorHandlerContext,
  error: unknown,
): R | HandlerResult<R> {
  if (deadLetterQueueTopicName === undefined) return response
  return {
    response,
    deadLetterQueueRecords: [buildDeadLetterQueueRecord(deadLetterQueueTopicName, key, value, context, error)],
  }
}

/**
 * Kafka `LogAndContinueExceptionHandler`: logs, skips the record and goes on; with a dead-letter topic the
 * record's raw bytes are sent there too.
 */
export function logAndContinueExceptionHandler(deadLetterQueueTopicName?: string): DeserializationExceptionHandler {
  return (context, record, error) => {
    console.warn(`Exception caught during Deserialization, ${describe(context)}; the record is skipped:`, error)
    return withDeadLetter(HandlerResponse.CONTINUE, deadLetterQueueTopicName, record.key, record.value, context, error)
  }
}

/** Kafka `LogAndFailExceptionHandler` (the default): logs and stops; with a dead-letter topic the raw record goes there first. */
export function logAndFailExceptionHandler(deadLetterQueueTopicName?: string): DeserializationExceptionHandler {
  return (context, record, error) => {
    console.error(`Exception caught during Deserialization, ${describe(context)}:`, error)
    return withDeadLetter(HandlerResponse.FAIL, deadLetterQueueTopicName, record.key, record.value, context, error)
  }
}

/** Kafka `LogAndContinueProcessingExceptionHandler`; the dead-letter record holds the source record's raw bytes. */
export function logAndContinueProcessingExceptionHandler(
  deadLetterQueueTopicName?: string,
): ProcessingExceptionHandler {
  return (context, _record, error) => {
    console.warn(
      `Exception caught during message processing, processor node: ${context.processorNodeId}, ${describe(context)}; the record is skipped:`,
      error,
    )
    return withDeadLetter(
      HandlerResponse.CONTINUE,
      deadLetterQueueTopicName,
      context.sourceRawKey,
      context.sourceRawValue,
      context,
      error,
    )
  }
}

/** Kafka `LogAndFailProcessingExceptionHandler` (the default). */
export function logAndFailProcessingExceptionHandler(deadLetterQueueTopicName?: string): ProcessingExceptionHandler {
  return (context, _record, error) => {
    console.error(
      `Exception caught during message processing, processor node: ${context.processorNodeId}, ${describe(context)}:`,
      error,
    )
    return withDeadLetter(
      HandlerResponse.FAIL,
      deadLetterQueueTopicName,
      context.sourceRawKey,
      context.sourceRawValue,
      context,
      error,
    )
  }
}

/**
 * Kafka `DefaultProductionExceptionHandler`: RETRY for retriable send errors, otherwise FAIL; the dead-letter
 * record holds the serialized key and value (null when serialization failed).
 */
export function defaultProductionExceptionHandler(deadLetterQueueTopicName?: string): ProductionExceptionHandler {
  return (context, record, error, origin) => {
    if (origin === undefined && isRetriable(error)) return ProductionHandlerResponse.RETRY
    return withDeadLetter(
      ProductionHandlerResponse.FAIL,
      deadLetterQueueTopicName,
      record.key,
      record.value,
      context,
      error,
    )
  }
}

/**
 * Logs and drops a record that could not be written, and goes on. Kafka has no such built-in (users write
 * one); it is here because dropping is what most applications that tolerate bad output want.
 */
export function continueProductionExceptionHandler(deadLetterQueueTopicName?: string): ProductionExceptionHandler {
  return (context, record, error, origin) => {
    const what = origin === undefined ? 'sending' : `serializing the ${origin.toLowerCase()} of`
    console.warn(
      `Exception caught while ${what} a record to topic ${record.topic}, processor node: ${context.processorNodeId}, ${describe(context)}; the record is dropped:`,
      error,
    )
    return withDeadLetter(
      ProductionHandlerResponse.CONTINUE,
      deadLetterQueueTopicName,
      record.key,
      record.value,
      context,
      error,
    )
  }
}

type Factory<H> = (deadLetterQueueTopicName?: string) => H

const deserializationByName: Record<string, Factory<DeserializationExceptionHandler>> = {
  logandcontinue: logAndContinueExceptionHandler,
  logandfail: logAndFailExceptionHandler,
  'org.apache.kafka.streams.errors.logandcontinueexceptionhandler': logAndContinueExceptionHandler,
  'org.apache.kafka.streams.errors.logandfailexceptionhandler': logAndFailExceptionHandler,
}
const processingByName: Record<string, Factory<ProcessingExceptionHandler>> = {
  logandcontinue: logAndContinueProcessingExceptionHandler,
  logandfail: logAndFailProcessingExceptionHandler,
  'org.apache.kafka.streams.errors.logandcontinueprocessingexceptionhandler': logAndContinueProcessingExceptionHandler,
  'org.apache.kafka.streams.errors.logandfailprocessingexceptionhandler': logAndFailProcessingExceptionHandler,
}
const productionByName: Record<string, Factory<ProductionExceptionHandler>> = {
  default: defaultProductionExceptionHandler,
  continue: continueProductionExceptionHandler,
  'org.apache.kafka.streams.errors.defaultproductionexceptionhandler': defaultProductionExceptionHandler,
}

/**
 * The handler a config value names: a built-in by name (bound to the dead-letter topic, which only the
 * built-ins use, as in KIP-1034) or the user's function as it is.
 */
export function deserializationHandlerFrom(
  spec: unknown,
  deadLetterQueueTopicName?: string,
): DeserializationExceptionHandler {
  return byName(
    spec,
    deserializationByName,
    "'logAndContinue', 'logAndFail'",
    'deserialization',
    deadLetterQueueTopicName,
  )
}

export function processingHandlerFrom(spec: unknown, deadLetterQueueTopicName?: string): ProcessingExceptionHandler {
  return byName(spec, processingByName, "'logAndContinue', 'logAndFail'", 'processing', deadLetterQueueTopicName)
}

export function productionHandlerFrom(spec: unknown, deadLetterQueueTopicName?: string): ProductionExceptionHandler {
  return byName(spec, productionByName, "'default', 'continue'", 'production', deadLetterQueueTopicName)
}

function byName<H>(
  spec: unknown,
  table: Record<string, Factory<H>>,
  names: string,
  kind: string,
  deadLetterQueueTopicName: string | undefined,
): H {
  if (typeof spec === 'function') return spec as H
  const factory = typeof spec === 'string' ? table[spec.toLowerCase()] : undefined
  if (!factory) {
    throw new TypeError(
      `unknown ${kind} exception handler ${JSON.stringify(spec)}: use ${names} or a function (context, record, error) => response`,
    )
  }
  return factory(deadLetterQueueTopicName)
}
