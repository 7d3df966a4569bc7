import type { Processor } from '../../processor/api/processor.ts'
import type { Predicate } from '../functions.ts'
import { forwardingProcessor } from './forwarding-processor.ts'

/**
 * Kafka `KStreamBranch`: sends each record to the child of the first predicate it satisfies; with a
 * default branch (one child more than predicates) the rest go there, otherwise they are dropped.
 * The lists are read at process time: `split()` keeps adding branches after the node is created.
 */
export function kstreamBranch<K, V>(
  predicates: readonly Predicate<K, V>[],
  childNames: readonly string[],
): () => Processor<K, V, K, V> {
  return forwardingProcessor<K, V, K, V>((record, context) => {
    for (let i = 0; i < predicates.length; i++) {
      if ((predicates[i] as Predicate<K, V>)(record.key, record.value)) {
        context.forward(record, childNames[i])
        return
      }
    }
    if (childNames.length > predicates.length) context.forward(record, childNames[predicates.length])
  })
}

/** Kafka `PassThrough`: forwards every record unchanged (branch children, merge). */
export function passThrough<K, V>(): () => Processor<K, V, K, V> {
  return forwardingProcessor<K, V, K, V>((record, context) => context.forward(record))
}
