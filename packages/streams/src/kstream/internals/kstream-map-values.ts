import type { Processor } from '../../processor/api/processor.ts'
import type { ValueMapperWithKey } from '../functions.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamMapValues`: a new value per record, key and timestamp kept. */
export function kstreamMapValues<K, V, VR>(mapper: ValueMapperWithKey<K, V, VR>): () => Processor<K, V, K, VR> {
  return forwardingProcessor<K, V, K, VR>((record, context) =>
    context.forward(record.withValue(mapper(record.key, record.value))),
  )
}
