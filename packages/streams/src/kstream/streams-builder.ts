import { Topology } from '../topology.ts'
import type { StreamsConfigInput } from '../streams-config.ts'
import type { Consumed } from './consumed.ts'
import { InternalStreamsBuilder } from './internals/internal-streams-builder.ts'
import { streamFrom, type KStreamImpl } from './internals/kstream-impl.ts'

/** Entry point of the DSL (Kafka `StreamsBuilder`): create streams from topics, then `build()` the topology. */
export class StreamsBuilder {
  readonly #internal = new InternalStreamsBuilder()

  /** A stream of the records of one topic, several topics, or every topic a pattern matches. */
  stream<K = unknown, V = unknown>(
    topics: string | readonly string[] | RegExp,
    consumed?: Consumed<K, V>,
  ): KStreamImpl<K, V> {
    const list = typeof topics === 'string' ? [topics] : topics
    return streamFrom(this.#internal, list, consumed)
  }

  /** The topology of everything defined so far; `config` may carry `topologyOptimization`. */
  build(_config?: StreamsConfigInput): Topology {
    return Topology.fromBuilder(this.#internal.buildAndOptimizeTopology())
  }
}
