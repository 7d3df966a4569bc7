import type { Processor } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { Printed } from '../printed.ts'

/** Kafka `KStreamPrint`: writes `[label]: <mapped>` per record; the label defaults to the parent's name. */
export function kstreamPrint<K, V>(printed: Printed<K, V>, defaultLabel: string): () => Processor<K, V> {
  const label = printed.label ?? defaultLabel
  return () => ({
    process(record: Record<K, V>) {
      printed.write(`[${label}]: ${printed.mapper(record.key, record.value)}`)
    },
  })
}
