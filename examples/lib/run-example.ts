// What every example does around its topology when run: get a Kafka (the local one unless
// KAFKA_BOOTSTRAP_SERVERS is set), create its topics, start KafkaStreams, produce the records of its data
// generator at a steady pace, and read its output topics. close() undoes all of it in reverse order.
// runMain() adds what a command needs: Ctrl-C / SIGTERM stop it cleanly, exit code 0.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { KafkaStreams, type KafkaStreamsState, type Serde, type Topology } from '@kstreams/streams'
import { createTopics, JsonProducer, startKafka } from '../support/kafka.ts'
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

export interface ExampleOptions {
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

export interface RunningExample {
  readonly bootstrapServers: readonly string[]
  readonly streams: KafkaStreams
  /** How many generated records the brokers have acknowledged. */
  readonly produced: number
  /** The largest timestamp produced so far: the generator's simulated clock (-1 before the first record). */
  readonly latestTimestamp: number
  /** Resolves when a finite generator has produced its last record. */
  readonly generated: Promise<void>
  /** Rejects when the generator, a reader or KafkaStreams fails; never resolves. */
  readonly failure: Promise<never>
  /** Stops the generator, the readers, KafkaStreams, the producer and a local broker, in that order. */
  close(): Promise<void>
}

export async function runExample(options: ExampleOptions): Promise<RunningExample> {
  const log = options.log ?? (() => undefined)
  if (!(options.recordsPerSecond > 0)) {
    throw new RangeError(`recordsPerSecond must be a positive number, got ${options.recordsPerSecond}`)
  }
  const closers: { what: string; close: () => Promise<void> }[] = []
  const closeAll = async (): Promise<void> => {
    for (const { what, close } of closers.splice(0).reverse()) {
      try {
        await close()
      } catch (error) {
        log(`closing ${what} failed: ${(error as Error).message}`)
      }
    }
  }
  let fail: (error: Error) => void = () => undefined
  const failure = new Promise<never>((_resolve, reject) => {
    fail = reject
  })
  failure.catch(() => undefined)

  try {
    const kafka = await startKafka(log)
    closers.push({ what: 'Kafka', close: () => kafka.close() })
    options.signal?.throwIfAborted()
    const servers = kafka.bootstrapServers

    await createTopics(servers, options.topics)
    options.signal?.throwIfAborted()
    const producer = new JsonProducer(servers)
    closers.push({ what: 'the producer', close: () => producer.close() })
    await produce(producer, options.initialRecords ?? [])

    const stateDir = mkdtempSync(join(tmpdir(), `kstreams-${options.applicationId}-`))
    const removeStateDir = (): Promise<void> => {
      rmSync(stateDir, { recursive: true, force: true })
      return Promise.resolve()
    }
    closers.push({ what: 'the state directory', close: removeStateDir })
    const guarantee = options.processingGuarantee ?? 'at_least_once'
    const streams = new KafkaStreams(options.topology, {
      applicationId: options.applicationId,
      bootstrapServers: [...servers],
      defaultKeySerde: 'string',
      defaultValueSerde: 'json',
      processingGuarantee: guarantee,
      commitIntervalMs: options.commitIntervalMs ?? (guarantee === 'exactly_once_v2' ? 100 : 1000),
      stateDir,
    })
    streams.setStateListener((state: KafkaStreamsState, previous: KafkaStreamsState) => {
      log(`KafkaStreams ${previous} -> ${state}`)
      if (state === 'ERROR') fail(new Error(`KafkaStreams of ${options.applicationId} failed (state ERROR)`))
    })
    const closeStreams = async (): Promise<void> => {
      if (!(await streams.close({ timeout: 60_000 }))) log('KafkaStreams did not stop within 60 s')
    }
    closers.push({ what: 'KafkaStreams', close: closeStreams })
    await streams.start()
    options.signal?.throwIfAborted()

    for (const output of options.outputs) {
      const reader = await output.start(servers, (error) => fail(error))
      closers.push({ what: `the reader of ${output.topic}`, close: () => reader.close() })
      options.signal?.throwIfAborted()
    }

    const generator = new Generator(producer, options.records, options.recordsPerSecond)
    // the generator stops before anything it writes to
    closers.push({ what: 'the generator', close: () => generator.stop() })
    generator.done.catch((error: unknown) => fail(error as Error))

    return {
      bootstrapServers: servers,
      streams,
      get produced() {
        return generator.produced
      },
      get latestTimestamp() {
        return generator.latestTimestamp
      },
      generated: generator.done,
      failure,
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
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

export interface MainOptions {
  readonly log?: (line: string) => void
}

/**
 * Runs an example as a command: starts it, waits for Ctrl-C or SIGTERM, closes everything and exits with
 * code 0 (1 if it failed). A signal while it starts stops the start. A second signal, later than a second
 * after the first (npm forwards the terminal's Ctrl-C, so one press can arrive twice), exits at once.
 */
export async function runMain(
  start: (signal: AbortSignal) => Promise<RunningExample>,
  { log = console.log }: MainOptions = {},
): Promise<void> {
  const controller = new AbortController()
  let firstSignalAt = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      if (Date.now() - firstSignalAt > 1000) {
        log(`${signal} again: exiting without finishing the shutdown`)
        process.exit(130)
      }
      return
    }
    firstSignalAt = Date.now()
    log(`${signal}: stopping ...`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const stopped = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()))
  try {
    let running: RunningExample
    try {
      running = await start(controller.signal)
    } catch (error) {
      if (controller.signal.aborted) {
        log('stopped while starting')
        return
      }
      throw error
    }
    try {
      await Promise.race([stopped, running.failure])
    } finally {
      await running.close()
    }
    log('stopped cleanly')
  } catch (error) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
