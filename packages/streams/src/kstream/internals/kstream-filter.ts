import type { Processor } from '../../processor/api/processor.ts'
import type { Predicate } from '../functions.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamFilter`: forwards records the predicate accepts (or rejects, for filterNot). */
export function kstreamFilter<K, V>(predicate: Predicate<K, V>, filterNot: boolean): () => Processor<K, V, K, V> {
  return forwardingProcessor<K, V, K, V>((record, context) => {
    if (predicate(record.key, record.value) !== filterNot) context.forward(record)
  })
}
