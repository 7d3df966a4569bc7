import type { Headers } from '../header/headers.ts'
import type { TaskId } from '../processor/task-id.ts'

/** What a handler tells the runtime to do with a record that failed (Kafka `...HandlerResponse`). */
export const HandlerResponse = { CONTINUE: 'CONTINUE', FAIL: 'FAIL' } as const
export type HandlerResponse = (typeof HandlerResponse)[keyof typeof HandlerResponse]

/** Where the failure happened (Kafka `ErrorHandlerContext`). */
export interface ErrorHandlerContext {
  readonly topic: string | null
  readonly partition: number
  readonly offset: number
  readonly headers: Headers
  readonly processorNodeId: string
  readonly taskId: TaskId
  readonly timestamp: number
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

/** Decides whether a record that cannot be deserialized stops the application (Kafka `DeserializationExceptionHandler`). */
export type DeserializationExceptionHandler = (
  context: ErrorHandlerContext,
  record: RawRecord,
  error: unknown,
) => HandlerResponse

/** Decides whether a processor's exception stops the application (Kafka `ProcessingExceptionHandler`, KIP-1033). */
export type ProcessingExceptionHandler = (
  context: ErrorHandlerContext,
  record: { readonly key: unknown; readonly value: unknown; readonly timestamp: number },
  error: unknown,
) => HandlerResponse

function describe(context: ErrorHandlerContext): string {
  return `taskId: ${context.taskId.toString()}, topic: ${context.topic ?? 'none'}, partition: ${context.partition}, offset: ${context.offset}`
}

/** Kafka `LogAndContinueExceptionHandler`: log, skip the record, go on. */
export const logAndContinueDeserialization: DeserializationExceptionHandler = (context, _record, error) => {
  console.warn(`Exception caught during Deserialization, ${describe(context)}; the record is skipped:`, error)
  return HandlerResponse.CONTINUE
}

/** Kafka `LogAndFailExceptionHandler`: log and stop (the default). */
export const logAndFailDeserialization: DeserializationExceptionHandler = (context, _record, error) => {
  console.error(`Exception caught during Deserialization, ${describe(context)}:`, error)
  return HandlerResponse.FAIL
}

/** Kafka `LogAndContinueProcessingExceptionHandler`. */
export const logAndContinueProcessing: ProcessingExceptionHandler = (context, _record, error) => {
  console.warn(
    `Exception caught during message processing, processor node: ${context.processorNodeId}, ${describe(context)}; the record is skipped:`,
    error,
  )
  return HandlerResponse.CONTINUE
}

/** Kafka `LogAndFailProcessingExceptionHandler` (the default). */
export const logAndFailProcessing: ProcessingExceptionHandler = () => HandlerResponse.FAIL

const deserializationByName: Record<string, DeserializationExceptionHandler> = {
  logandcontinue: logAndContinueDeserialization,
  logandfail: logAndFailDeserialization,
  'org.apache.kafka.streams.errors.logandcontinueexceptionhandler': logAndContinueDeserialization,
  'org.apache.kafka.streams.errors.logandfailexceptionhandler': logAndFailDeserialization,
}
const processingByName: Record<string, ProcessingExceptionHandler> = {
  logandcontinue: logAndContinueProcessing,
  logandfail: logAndFailProcessing,
  'org.apache.kafka.streams.errors.logandcontinueprocessingexceptionhandler': logAndContinueProcessing,
  'org.apache.kafka.streams.errors.logandfailprocessingexceptionhandler': logAndFailProcessing,
}

export function deserializationHandlerFrom(
  spec: string | DeserializationExceptionHandler,
): DeserializationExceptionHandler {
  return byName(spec, deserializationByName, 'deserialization')
}

export function processingHandlerFrom(spec: string | ProcessingExceptionHandler): ProcessingExceptionHandler {
  return byName(spec, processingByName, 'processing')
}

function byName<H>(spec: string | H, table: Record<string, H>, kind: string): H {
  if (typeof spec !== 'string') return spec
  const handler = table[spec.toLowerCase()]
  if (!handler)
    throw new TypeError(`unknown ${kind} exception handler "${spec}": use 'logAndContinue', 'logAndFail' or a function`)
  return handler
}
