// What a guide example does around its topology when run: create its topics, start KafkaStreams, produce the
// records of its data generator at a steady pace, and read its output topics. close() undoes all of it in
// reverse order. runExampleCommand() runs it as a command, on a Kafka of its own (run-command.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { KafkaStreams, Serde, Topology } from '@kstreams/streams'
import { createTopics, JsonProducer } from '../support/kafka.ts'
import { Closers, type Running } from './closers.ts'
import type { ExampleArgs } from './example-args.ts'
import { runCommand } from './run-command.ts'
import { startStreams } from './start-streams.ts'
import { TopicReader, type ReadRecord } from './topic-reader.ts'

/** A record of a data generator: string key, JSON value. */
export interface GeneratedRecord {
  readonly topic: string
  readonly key: string
  readonly value: unknown
  readonly timestamp: number
}

/** An output topic to read from its beginning, and what to do with each record: see output(). */
export interface Output {
  readonly topic: string
  start(bootstrapServers: readonly string[], onError: (error: Error) => void): Promise<{ close(): Promise<void> }>
}

export function output<K, V>(
  topic: string,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  onRecord: (record: ReadRecord<K, V>) => void,
): Output {
  return {
    topic,
    start: (servers, onError) => TopicReader.start(servers, topic, keySerde, valueSerde, { onRecord, onError }),
  }
}

/** An output topic whose records are printed, a line each as `format` writes it. */
export function printOutput<K, V>(
  topic: string,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  format: (key: K | null, value: V | null) => string,
): Output {
  return output(topic, keySerde, valueSerde, (record) => console.log(format(record.key, record.value)))
}

export interface ExampleOptions {
  readonly bootstrapServers: readonly string[]
  readonly applicationId: string
  readonly topology: Topology
  /** Topics to create (3 partitions each) before starting: inputs and outputs. */
  readonly topics: readonly string[]
  /** Records produced before KafkaStreams starts (reference data for tables, say). */
  readonly initialRecords?: Iterable<GeneratedRecord>
  /** The generator's records, produced after start at `recordsPerSecond`; may be endless. */
  readonly records: Iterable<GeneratedRecord>
  readonly recordsPerSecond: number
  readonly outputs: readonly Output[]
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
  /** Default 1000 ms (at-least-once) so that results show within a second; exactly-once: 100 ms. */
  readonly commitIntervalMs?: number
  readonly log?: (line: string) => void
  /** Aborting it while the example starts stops the start and releases what was started. */
  readonly signal?: AbortSignal
}

export interface RunningExample extends Running {
  readonly streams: KafkaStreams
  /** How many generated records the brokers have acknowledged. */
  readonly produced: number
  /** The largest timestamp produced so far: the generator's simulated clock (-1 before the first record). */
  readonly latestTimestamp: number
  /** Resolves when a finite generator has produced its last record. */
  readonly generated: Promise<void>
  /** Rejects when the generator, a reader or KafkaStreams fails; never resolves. */
  readonly failure: Promise<never>
  /** Stops the generator, the readers, KafkaStreams and the producer, in that order. */
  close(): Promise<void>
}

export async function runExample(options: ExampleOptions): Promise<RunningExample> {
  if (!(options.recordsPerSecond > 0)) {
    throw new RangeError(`recordsPerSecond must be a positive number, got ${options.recordsPerSecond}`)
  }
  const servers = options.bootstrapServers
  return Closers.open(options.log, async (closers) => {
    await createTopics(servers, options.topics)
    options.signal?.throwIfAborted()
    const producer = new JsonProducer(servers)
    closers.add('the producer', () => producer.close())
    await produce(producer, options.initialRecords ?? [])

    const stateDir = mkdtempSync(join(tmpdir(), `kstreams-${options.applicationId}-`))
    closers.add('the state directory', () => rmSync(stateDir, { recursive: true, force: true }))
    const guarantee = options.processingGuarantee ?? 'at_least_once'
    const streams = await startStreams(closers, options.topology, {
      applicationId: options.applicationId,
      bootstrapServers: servers,
      defaultKeySerde: 'string',
      defaultValueSerde: 'json',
      processingGuarantee: guarantee,
      commitIntervalMs: options.commitIntervalMs ?? (guarantee === 'exactly_once_v2' ? 100 : 1000),
      stateDir,
    })
    options.signal?.throwIfAborted()

    for (const output of options.outputs) {
      const reader = await output.start(servers, (error) => closers.fail(error))
      closers.add(`the reader of ${output.topic}`, () => reader.close())
      options.signal?.throwIfAborted()
    }

    const generator = new Generator(producer, options.records, options.recordsPerSecond)
    // the generator stops before anything it writes to
    closers.add('the generator', () => generator.stop())
    generator.done.catch((error: unknown) => closers.fail(error as Error))

    return {
      streams,
      get produced() {
        return generator.produced
      },
      get latestTimestamp() {
        return generator.latestTimestamp
      },
      generated: generator.done,
      failure: closers.failure,
      close: () => closers.close(),
    }
  })
}

/**
 * A guide example as a command: runExample() on the command's Kafka, with the guarantee of the command line,
 * logging to the console.
 */
export function runExampleCommand(
  args: ExampleArgs,
  options: Omit<ExampleOptions, 'bootstrapServers' | 'processingGuarantee' | 'log' | 'signal'>,
): Promise<void> {
  return runCommand(({ bootstrapServers, signal }) =>
    runExample({
      ...options,
      bootstrapServers,
      processingGuarantee: args.processingGuarantee,
      log: console.log,
      signal,
    }),
  )
}

async function produce(producer: JsonProducer, records: Iterable<GeneratedRecord>): Promise<number> {
  const byTopic = new Map<string, GeneratedRecord[]>()
  let count = 0
  for (const record of records) {
    const list = byTopic.get(record.topic) ?? []
    list.push(record)
    byTopic.set(record.topic, list)
    count++
  }
  for (const [topic, list] of byTopic) await producer.send(topic, list)
  return count
}

/**
 * Produces a generator's records in batches, ten a second. A record timestamped in the future waits until
 * then: brokers reject records more than an hour ahead of their clock (log.message.timestamp.after.max.ms).
 */
class Generator {
  readonly done: Promise<void>
  produced = 0
  latestTimestamp = -1
  #stopped = false

  constructor(producer: JsonProducer, records: Iterable<GeneratedRecord>, perSecond: number) {
    this.done = this.#run(producer, records[Symbol.iterator](), perSecond)
    this.done.catch(() => undefined)
  }

  async #run(producer: JsonProducer, records: Iterator<GeneratedRecord>, perSecond: number): Promise<void> {
    const tickMs = 100
    let owed = 0
    let held: GeneratedRecord | undefined
    while (!this.#stopped) {
      const tick = Date.now()
      owed += (perSecond * tickMs) / 1000
      const batch: GeneratedRecord[] = []
      for (; owed >= 1; owed--) {
        let record = held
        held = undefined
        if (record === undefined) {
          const next = records.next()
          if (next.done === true) {
            await this.#send(producer, batch)
            return
          }
          record = next.value
        }
        if (record.timestamp > Date.now()) {
          held = record
          owed = 0
          break
        }
        batch.push(record)
      }
      await this.#send(producer, batch)
      const wait = tickMs - (Date.now() - tick)
      if (wait > 0 && !this.#stopped) await sleep(wait)
    }
  }

  async #send(producer: JsonProducer, batch: GeneratedRecord[]): Promise<void> {
    if (batch.length === 0) return
    await produce(producer, batch)
    this.produced += batch.length
    for (const record of batch) this.latestTimestamp = Math.max(this.latestTimestamp, record.timestamp)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.done
  }
}
