import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { Predicate } from '../functions.ts'

/** Kafka `KStreamFilter`: forwards records the predicate accepts (or rejects, for filterNot). */
export function kstreamFilter<K, V>(predicate: Predicate<K, V>, filterNot: boolean): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>
    return {
      init(c) {
        context = c
      },
      process(record: Record<K, V>) {
        if (predicate(record.key, record.value) !== filterNot) context.forward(record)
      },
    }
  }
}
