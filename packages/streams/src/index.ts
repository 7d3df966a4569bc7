export { StreamsError } from './errors/streams-error.ts'
export { SerializationException } from './errors/serialization-exception.ts'
export { StreamsException } from './errors/streams-exception.ts'
export { TopologyException } from './errors/topology-exception.ts'
export {
  buildDeadLetterQueueRecord,
  continueProductionExceptionHandler,
  DeadLetterQueueHeaders,
  defaultProductionExceptionHandler,
  HandlerResponse,
  isRetriable,
  logAndContinueExceptionHandler,
  logAndContinueProcessingExceptionHandler,
  logAndFailExceptionHandler,
  logAndFailProcessingExceptionHandler,
  ProductionHandlerResponse,
  type DeadLetterRecord,
  type DeserializationExceptionHandler,
  type DeserializationHandlerResult,
  type ErrorHandlerContext,
  type HandlerResult,
  type ProcessingExceptionHandler,
  type ProcessingHandlerResult,
  type ProducedRecord,
  type ProductionExceptionHandler,
  type ProductionHandlerResult,
  type RawRecord,
  type SerializationExceptionOrigin,
} from './errors/exception-handlers.ts'
export { Headers, type Header } from './header/headers.ts'
export type { Serde, Serializer, Deserializer } from './serde/serde.ts'
export { Serdes, serdeFrom } from './serde/serdes.ts'
export { ConfigException, resolveConfig, type StreamsConfig, type StreamsConfigInput } from './streams-config.ts'
export { Topology } from './topology.ts'
export { StreamsBuilder } from './kstream/streams-builder.ts'
export { KStream, BranchedKStream } from './kstream/kstream.ts'
export { Duration } from './kstream/duration.ts'
export { KeyValue } from './kstream/key-value.ts'
export { Named } from './kstream/named.ts'
export { Consumed } from './kstream/consumed.ts'
export { Produced } from './kstream/produced.ts'
export { Repartitioned } from './kstream/repartitioned.ts'
export { Printed } from './kstream/printed.ts'
export { Branched } from './kstream/branched.ts'
export type {
  Predicate,
  KeyValueMapper,
  ValueMapper,
  ValueMapperWithKey,
  ForeachAction,
  FlatMapper,
} from './kstream/functions.ts'
export * from './processor/index.ts'
export { Materialized, type StoreType } from './kstream/materialized.ts'
export { Grouped } from './kstream/grouped.ts'
export { TimeWindows } from './kstream/time-windows.ts'
export { Window, Windowed } from './kstream/windowed.ts'
export { WindowedSerdes } from './kstream/windowed-serdes.ts'
export { EmitStrategy } from './kstream/emit-strategy.ts'
export { SessionWindows } from './kstream/session-windows.ts'
export { SlidingWindows } from './kstream/sliding-windows.ts'
export { Suppressed, BufferConfig } from './kstream/suppressed.ts'
export {
  KTable,
  KGroupedStream,
  TimeWindowedKStream,
  SlidingWindowedKStream,
  SessionWindowedKStream,
  CogroupedKStream,
  WindowedCogroupedKStream,
} from './kstream/ktable.ts'
export type { Merger } from './kstream/internals/kstream-session-window-aggregate.ts'
export { GlobalKTable } from './kstream/global-ktable.ts'
export { JoinWindows } from './kstream/join-windows.ts'
export { Joined } from './kstream/joined.ts'
export { StreamJoined } from './kstream/stream-joined.ts'
export { TableJoined } from './kstream/table-joined.ts'
export type { ValueJoinerWithKey } from './kstream/internals/kstream-ktable-join.ts'
export type { Initializer, Aggregator, Reducer } from './kstream/internals/kstream-aggregate.ts'
export type { Change } from './kstream/internals/change.ts'
export * from './state/index.ts'
export {
  KafkaStreams,
  type CloseOptions,
  type KafkaStreamsMetrics,
  type KafkaStreamsState,
  type StateListener,
  type StreamsUncaughtExceptionHandler,
  type StreamThreadExceptionResponse,
  type ThreadMetadata,
} from './kafka-streams.ts'
export type { StateRestoreListener } from './processor/state-restore-listener.ts'
export type { TopicPartition } from './client/kafka-client.ts'
