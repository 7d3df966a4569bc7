export { KTableImpl as KTable } from './internals/ktable-impl.ts'
export { KGroupedStreamImpl as KGroupedStream } from './internals/kgrouped-stream-impl.ts'
export { TimeWindowedKStreamImpl as TimeWindowedKStream } from './internals/time-windowed-kstream-impl.ts'
