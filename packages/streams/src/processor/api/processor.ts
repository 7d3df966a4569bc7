import type { Duration } from '../../kstream/duration.ts'
import type { Headers } from '../../header/headers.ts'
import type { Serde } from '../../serde/serde.ts'
import type { TaskId } from '../task-id.ts'
import type { Record } from './record.ts'

/** When a punctuator fires: on stream time (record timestamps) or wall-clock time (Kafka `PunctuationType`). */
export const PunctuationType = {
  STREAM_TIME: 'STREAM_TIME',
  WALL_CLOCK_TIME: 'WALL_CLOCK_TIME',
} as const
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType]

/** Called by a schedule with the current stream or wall-clock time. */
export type Punctuator = (timestamp: number) => void

/** Returned by `schedule`: `cancel()` stops further punctuations. */
export interface Cancellable {
  cancel(): void
}

/** Where the record being processed came from; absent during punctuation (Kafka `RecordMetadata`). */
export interface RecordMetadata {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** A state store as the processor sees it; the store kinds extend this. */
export interface StateStore {
  readonly name: string
}

/** What a processor can do besides processing (Kafka `api.ProcessingContext`). */
export interface ProcessingContext {
  readonly applicationId: string
  readonly taskId: TaskId
  recordMetadata(): RecordMetadata | undefined
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  appConfigs(): { readonly [key: string]: unknown }
  currentSystemTimeMs(): number
  currentStreamTimeMs(): number
  getStateStore<S extends StateStore>(name: string): S
  schedule(interval: Duration | number, type: PunctuationType, punctuator: Punctuator): Cancellable
  commit(): void
}

/** Context of a `Processor` (Kafka `api.ProcessorContext`): `forward` sends to all children or one named child. */
export interface ProcessorContext<KForward = unknown, VForward = unknown> extends ProcessingContext {
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void
}

/** A record processor (Kafka `api.Processor`). `process` is synchronous: it must not return a promise. */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void
  process(record: Record<KIn, VIn>): void
  close?(): void
}

/** Makes a fresh processor for each task (Kafka `api.ProcessorSupplier`). */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> =
  | (() => Processor<KIn, VIn, KOut, VOut>)
  | { get(): Processor<KIn, VIn, KOut, VOut>; stores?(): readonly StoreBuilderLike[] }

/** A record whose key a processor cannot change (Kafka `api.FixedKeyRecord`). */
export interface FixedKeyRecord<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: Headers
  withValue<NewV>(value: NewV): FixedKeyRecord<K, NewV>
  withTimestamp(timestamp: number): FixedKeyRecord<K, V>
  withHeaders(headers: Headers): FixedKeyRecord<K, V>
}

/** Context of a `FixedKeyProcessor`: it can forward only records that keep the input key. */
export interface FixedKeyProcessorContext<KForward = unknown, VForward = unknown> extends ProcessingContext {
  forward<V extends VForward>(record: FixedKeyRecord<KForward, V>, childName?: string): void
}

/** A processor that may change values but never keys (Kafka `api.FixedKeyProcessor`). */
export interface FixedKeyProcessor<KIn, VIn, VOut = never> {
  init?(context: FixedKeyProcessorContext<KIn, VOut>): void
  process(record: FixedKeyRecord<KIn, VIn>): void
  close?(): void
}

export type FixedKeyProcessorSupplier<KIn, VIn, VOut = never> =
  | (() => FixedKeyProcessor<KIn, VIn, VOut>)
  | { get(): FixedKeyProcessor<KIn, VIn, VOut>; stores?(): readonly StoreBuilderLike[] }

/** The part of a store builder a supplier's `stores()` may hand over; state stores fill it in. */
export interface StoreBuilderLike {
  readonly name: string
}

/** The processor a supplier makes: function suppliers are called, object suppliers' `get()` is. */
export function supplierGet<P>(supplier: (() => P) | { get(): P }): P {
  return typeof supplier === 'function' ? supplier() : supplier.get()
}
