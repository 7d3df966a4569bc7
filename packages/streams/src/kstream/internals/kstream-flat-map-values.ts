import type { Processor } from '../../processor/api/processor.ts'
import type { ValueMapperWithKey } from '../functions.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamFlatMapValues`: zero or more values per record, key and timestamp kept. */
export function kstreamFlatMapValues<K, V, VR>(
  mapper: ValueMapperWithKey<K, V, Iterable<VR>>,
): () => Processor<K, V, K, VR> {
  return forwardingProcessor<K, V, K, VR>((record, context) => {
    for (const value of mapper(record.key, record.value)) context.forward(record.withValue(value))
  })
}
