import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ValueMapperWithKey } from '../functions.ts'

/** Kafka `KStreamMapValues`: a new value per record, key and timestamp kept. */
export function kstreamMapValues<K, V, VR>(mapper: ValueMapperWithKey<K, V, VR>): () => Processor<K, V, K, VR> {
  return () => {
    let context: ProcessorContext<K, VR>
    return {
      init(c) {
        context = c
      },
      process(record: Record<K, V>) {
        context.forward(record.withValue(mapper(record.key, record.value)))
      },
    }
  }
}
