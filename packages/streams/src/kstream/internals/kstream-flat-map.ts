import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { FlatMapper } from '../functions.ts'
import { toKeyValue } from '../key-value.ts'

/** Kafka `KStreamFlatMap`: zero or more new records per record, all with its timestamp and headers. */
export function kstreamFlatMap<K, V, KR, VR>(mapper: FlatMapper<K, V, KR, VR>): () => Processor<K, V, KR, VR> {
  return () => {
    let context: ProcessorContext<KR, VR>
    return {
      init(c) {
        context = c
      },
      process(record: Record<K, V>) {
        for (const result of mapper(record.key, record.value)) {
          const pair = toKeyValue(result)
          context.forward(record.withKey(pair.key).withValue(pair.value))
        }
      },
    }
  }
}
