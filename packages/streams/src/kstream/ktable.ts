export { KTableImpl as KTable } from './internals/ktable-impl.ts'
export { KGroupedStreamImpl as KGroupedStream } from './internals/kgrouped-stream-impl.ts'
export { TimeWindowedKStreamImpl as TimeWindowedKStream } from './internals/time-windowed-kstream-impl.ts'
export { SlidingWindowedKStreamImpl as SlidingWindowedKStream } from './internals/sliding-windowed-kstream-impl.ts'
export { SessionWindowedKStreamImpl as SessionWindowedKStream } from './internals/session-windowed-kstream-impl.ts'
export {
  CogroupedKStreamImpl as CogroupedKStream,
  WindowedCogroupedKStreamImpl as WindowedCogroupedKStream,
} from './internals/cogrouped-kstream-impl.ts'
