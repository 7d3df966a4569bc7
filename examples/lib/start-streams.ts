// How every example runs its topology: a KafkaStreams whose state changes go to the example's log, whose state
// ERROR is the example's failure, and which closes with the rest of the example.
import { KafkaStreams, type KafkaStreamsState, type StreamsConfigInput, type Topology } from '@kstreams/streams'
import type { Closers } from './closers.ts'

/** The configuration, where a setting given as undefined is left to Kafka Streams' default. */
export type ExampleStreamsConfig = { [K in keyof StreamsConfigInput]?: StreamsConfigInput[K] | undefined }

const closeTimeoutMs = 60_000

/** Creates KafkaStreams, has `closers` close it, and starts it. */
export async function startStreams(
  closers: Closers,
  topology: Topology,
  config: ExampleStreamsConfig,
): Promise<KafkaStreams> {
  const given = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined))
  const streams = new KafkaStreams(topology, given)
  streams.setStateListener((state: KafkaStreamsState, previous: KafkaStreamsState) => {
    closers.log(`KafkaStreams ${previous} -> ${state}`)
    if (state === 'ERROR')
      closers.fail(new Error(`KafkaStreams of ${String(config.applicationId)} failed (state ERROR)`))
  })
  closers.add('KafkaStreams', async () => {
    if (!(await streams.close({ timeout: closeTimeoutMs }))) {
      closers.log(`KafkaStreams did not stop within ${closeTimeoutMs / 1000} s`)
    }
  })
  await streams.start()
  return streams
}
