import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ValueMapperWithKey } from '../functions.ts'

/** Kafka `KStreamFlatMapValues`: zero or more values per record, key and timestamp kept. */
export function kstreamFlatMapValues<K, V, VR>(
  mapper: ValueMapperWithKey<K, V, Iterable<VR>>,
): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>
    return {
      init(c) {
        context = c
      },
      process(record: Record<K, V>) {
        for (const value of mapper(record.key, record.value)) context.forward(record.withValue(value))
      },
    }
  }
}
