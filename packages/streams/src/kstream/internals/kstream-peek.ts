import type { Processor } from '../../processor/api/processor.ts'
import type { ForeachAction } from '../functions.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamPeek` (forwards after the action) and `ForeachProcessor` (does not forward). */
export function kstreamPeek<K, V>(action: ForeachAction<K, V>, forward: boolean): () => Processor<K, V, K, V> {
  return forwardingProcessor<K, V, K, V>((record, context) => {
    action(record.key, record.value)
    if (forward) context.forward(record)
  })
}
