import type { Processor } from '../../processor/api/processor.ts'
import type { KeyValueMapper } from '../functions.ts'
import { toKeyValue, type KeyValueLike } from '../key-value.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/** Kafka `KStreamMap`: a new key and value per record; the mapper must return a pair. */
export function kstreamMap<K, V, KR, VR>(
  mapper: KeyValueMapper<K, V, KeyValueLike<KR, VR>>,
): () => Processor<K, V, KR, VR> {
  return forwardingProcessor<K, V, KR, VR>((record, context) => {
    const result = mapper(record.key, record.value)
    if (result === null || result === undefined)
      throw new TypeError('The provided KeyValueMapper returned null which is not allowed.')
    const pair = toKeyValue(result)
    context.forward(record.withKey(pair.key).withValue(pair.value))
  })
}
