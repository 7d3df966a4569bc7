export { Record } from './api/record.ts'
export {
  PunctuationType,
  type Cancellable,
  type FixedKeyProcessor,
  type FixedKeyProcessorContext,
  type FixedKeyProcessorSupplier,
  type FixedKeyRecord,
  type ProcessingContext,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  type Punctuator,
  type RecordMetadata,
  type StateStore,
} from './api/processor.ts'
export type { RecordContext } from './record-context.ts'
export type { StreamPartitioner } from './stream-partitioner.ts'
export type { TopicNameExtractor } from './topic-name-extractor.ts'
export {
  FailOnInvalidTimestamp,
  LogAndSkipOnInvalidTimestamp,
  UsePartitionTimeOnInvalidTimestamp,
  WallclockTimestampExtractor,
  type ConsumedRecord,
  type TimestampExtractor,
} from './timestamp-extractor.ts'
export { TaskId } from './task-id.ts'
export type { StoreBuilder } from './state-store.ts'
export { TopologyDescription } from './topology-description.ts'
