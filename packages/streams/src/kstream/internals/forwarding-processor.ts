import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'

/** A supplier of processors that keep their context from `init` and run `process` with it. */
export function forwardingProcessor<KIn, VIn, KOut, VOut>(
  process: (record: Record<KIn, VIn>, context: ProcessorContext<KOut, VOut>) => void,
): () => Processor<KIn, VIn, KOut, VOut> {
  return () => {
    let context: ProcessorContext<KOut, VOut>
    return {
      init(c) {
        context = c
      },
      process(record) {
        process(record, context)
      },
    }
  }
}
