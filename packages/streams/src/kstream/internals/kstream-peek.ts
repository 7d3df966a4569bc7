import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ForeachAction } from '../functions.ts'

/** Kafka `KStreamPeek` (forwards after the action) and `ForeachProcessor` (does not forward). */
export function kstreamPeek<K, V>(action: ForeachAction<K, V>, forward: boolean): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>
    return {
      init(c) {
        context = c
      },
      process(record: Record<K, V>) {
        action(record.key, record.value)
        if (forward) context.forward(record)
      },
    }
  }
}
