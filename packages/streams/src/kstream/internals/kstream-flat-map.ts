import type { Processor } from '../../processor/api/processor.ts'
import type { FlatMapper } from '../functions.ts'
import { toKeyValue } from '../key-value.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamFlatMap`: zero or more new records per record, all with its timestamp and headers. */
export function kstreamFlatMap<K, V, KR, VR>(mapper: FlatMapper<K, V, KR, VR>): () => Processor<K, V, KR, VR> {
  return forwardingProcessor<K, V, KR, VR>((record, context) => {
    for (const result of mapper(record.key, record.value)) {
      const pair = toKeyValue(result)
      context.forward(record.withKey(pair.key).withValue(pair.value))
    }
  })
}
