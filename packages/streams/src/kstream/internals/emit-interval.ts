import type { ProcessingContext } from '../../processor/api/processor.ts'

/** Kafka's internal `__emit.interval.ms.kstreams.windowed.aggregation__`, as `appConfigs()` holds it (camelCased). */
const EMIT_INTERVAL_CONFIG = '__emitIntervalMsKstreamsWindowedAggregation__'
const DEFAULT_EMIT_INTERVAL_MS = 1000

/** How often, in wall-clock ms, emit-final aggregations look for closed windows (the test driver uses 0). */
export function emitIntervalMs(context: ProcessingContext): number {
  const interval = Number(context.appConfigs()[EMIT_INTERVAL_CONFIG] ?? DEFAULT_EMIT_INTERVAL_MS)
  return Number.isFinite(interval) && interval >= 0 ? interval : DEFAULT_EMIT_INTERVAL_MS
}
