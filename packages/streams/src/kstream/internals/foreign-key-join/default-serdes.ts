import type { ProcessingContext } from '../../../processor/api/processor.ts'
import type { ProcessorContextImpl } from '../../../processor/internals/processor-context-impl.ts'
import type { Serde } from '../../../serde/serde.ts'

/**
 * The application's default serdes as a processor sees them, undefined when not configured (the
 * context's `keySerde` / `valueSerde` throw instead). The foreign-key join's processors hand them to the
 * serdes they were not given, as Kafka's do through `context.keySerde()` / `context.valueSerde()`.
 */
export function defaultSerdes(context: ProcessingContext): {
  keySerde: Serde<unknown> | undefined
  valueSerde: Serde<unknown> | undefined
} {
  const { config } = context as unknown as ProcessorContextImpl
  return { keySerde: config.defaultKeySerde, valueSerde: config.defaultValueSerde }
}
