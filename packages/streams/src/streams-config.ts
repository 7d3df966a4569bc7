import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  deserializationHandlerFrom,
  processingHandlerFrom,
  productionHandlerFrom,
  type DeserializationExceptionHandler,
  type ProcessingExceptionHandler,
  type ProductionExceptionHandler,
} from './errors/exception-handlers.ts'
import { StreamsError } from './errors/streams-error.ts'
import {
  FailOnInvalidTimestamp,
  toTimestampExtractor,
  type TimestampExtractor,
  type TimestampExtractorLike,
} from './processor/timestamp-extractor.ts'
import type { Serde } from './serde/serde.ts'
import { serdeFrom } from './serde/serdes.ts'

/**
 * Configuration of a Kafka Streams application, with Kafka's names in camelCase. Java's dotted keys
 * (`application.id`, `default.key.serde`) are accepted too and mean the same.
 */
export interface StreamsConfigInput {
  applicationId?: string
  bootstrapServers?: string | readonly string[]
  clientId?: string
  defaultKeySerde?: string | Serde<unknown>
  defaultValueSerde?: string | Serde<unknown>
  defaultTimestampExtractor?: TimestampExtractorLike
  /** 'logAndFail' (the default), 'logAndContinue' or a function (Kafka `deserialization.exception.handler`). */
  defaultDeserializationExceptionHandler?: string | DeserializationExceptionHandler
  /** 'logAndFail' (the default), 'logAndContinue' or a function (KIP-1033). */
  processingExceptionHandler?: string | ProcessingExceptionHandler
  /** 'default' (FAIL, RETRY for retriable send errors), 'continue' or a function (Kafka `production.exception.handler`). */
  productionExceptionHandler?: string | ProductionExceptionHandler
  /** Topic where the built-in exception handlers send failed records (KIP-1034); not created automatically. */
  errorsDeadLetterQueueTopicName?: string
  processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
  commitIntervalMs?: number
  maxTaskIdleMs?: number
  numStreamThreads?: number
  numStandbyReplicas?: number
  replicationFactor?: number
  stateDir?: string
  statestoreCacheMaxBytes?: number
  cacheMaxBytes?: number
  /** 'all', 'none', or a comma-separated list of Kafka's optimization rule names. */
  topologyOptimization?: string
  /**
   * Accepted, and ignored with a warning, as Kafka Streams ignores `transactional.id`: under exactly-once each
   * stream thread's producer gets its own id derived from the application id.
   */
  transactionalId?: string
  [key: string]: unknown
}

/** The resolved configuration the runtime and the test driver use. */
export interface StreamsConfig {
  readonly applicationId: string
  readonly bootstrapServers: readonly string[]
  /** Undefined when not configured: then every source and sink must be given serdes. */
  readonly defaultKeySerde: Serde<unknown> | undefined
  readonly defaultValueSerde: Serde<unknown> | undefined
  readonly defaultTimestampExtractor: TimestampExtractor
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  readonly productionExceptionHandler: ProductionExceptionHandler
  /** Where the built-in exception handlers send failed records; undefined: nowhere. */
  readonly errorsDeadLetterQueueTopicName: string | undefined
  readonly processingGuarantee: 'at_least_once' | 'exactly_once_v2'
  readonly commitIntervalMs: number
  readonly maxTaskIdleMs: number
  readonly numStandbyReplicas: number
  /** Bytes of record cache per task; 0 turns caching off (Kafka `statestore.cache.max.bytes`, default 10 MiB). */
  readonly cacheMaxBytes: number
  /** Directory of persistent stores: `<stateDir>/<applicationId>/<taskId>/`. */
  readonly stateDir: string
  /** Engine of DSL stores: 'lmdb' (persistent, the default, like Kafka's RocksDB) or 'in_memory'. */
  readonly defaultDslStore: 'lmdb' | 'in_memory'
  readonly topologyOptimization: string
  /** Client id prefix of the Kafka clients; `<applicationId>-<processId>` unless set. */
  readonly clientId: string | undefined
  readonly numStreamThreads: number
  /** Static membership: each stream thread joins as `<groupInstanceId>-<thread index>`. */
  readonly groupInstanceId: string | undefined
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly maxPollIntervalMs: number
  readonly requestTimeoutMs: number
  /** How long a stream thread waits for records in one poll. */
  readonly pollMs: number
  /** Records buffered per input partition before its fetching pauses. */
  readonly bufferedRecordsPerPartition: number
  /** Replication factor of internal topics; -1 = the broker's default. */
  readonly replicationFactor: number
  /** Where a partition without committed offset starts. */
  readonly autoOffsetReset: 'earliest' | 'latest'
  /** A task that must restore more than this many changelog records is kept where its state is, while it warms up elsewhere. */
  readonly acceptableRecoveryLag: number
  readonly maxWarmupReplicas: number
  readonly probingRebalanceIntervalMs: number
  readonly repartitionPurgeIntervalMs: number
  /** How long a task may keep failing on a timeout (e.g. brokers unreachable) before its thread fails. */
  readonly taskTimeoutMs: number
  /** Exactly-once: how long a transaction may stay open before the brokers abort it (Kafka Streams: 10 s). */
  readonly transactionTimeoutMs: number
  /** Every key given, camelCased, for `appConfigs()`. */
  readonly originals: { readonly [key: string]: unknown }
}

export class ConfigException extends StreamsError {
  constructor(message: string) {
    super('KSTREAMS_CONFIG', message)
  }
}

/** `default.key.serde` -> `defaultKeySerde`; camelCase keys pass through. */
function camelKey(key: string): string {
  return key.includes('.') ? key.replace(/\.([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : key
}

/** Java key names that do not camelCase to ours. */
const aliases: Record<string, string> = {
  cacheMaxBytesBuffering: 'cacheMaxBytes',
  statestoreCacheMaxBytes: 'cacheMaxBytes',
  defaultKeySerdeClass: 'defaultKeySerde',
  defaultValueSerdeClass: 'defaultValueSerde',
  defaultTimestampExtractorClass: 'defaultTimestampExtractor',
  defaultDeserializationExceptionHandlerClass: 'defaultDeserializationExceptionHandler',
  // Kafka 4 renamed these (KIP-1056) and still reads the `default.` ones
  deserializationExceptionHandler: 'defaultDeserializationExceptionHandler',
  deserializationExceptionHandlerClass: 'defaultDeserializationExceptionHandler',
  processingExceptionHandlerClass: 'processingExceptionHandler',
  productionExceptionHandlerClass: 'productionExceptionHandler',
  defaultProductionExceptionHandler: 'productionExceptionHandler',
  defaultProductionExceptionHandlerClass: 'productionExceptionHandler',
}

function num(config: Record<string, unknown>, key: string, fallback: number, min = 0): number {
  const raw = config[key]
  if (raw === undefined) return fallback
  const value = typeof raw === 'string' ? Number(raw) : raw
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigException(`config ${key} must be a number >= ${min}, got ${JSON.stringify(raw)}`)
  }
  return value
}

function offsetReset(value: unknown): 'earliest' | 'latest' {
  if (value === undefined || value === 'earliest') return 'earliest'
  if (value === 'latest') return 'latest'
  throw new ConfigException(`config autoOffsetReset must be 'earliest' or 'latest', got ${JSON.stringify(value)}`)
}

function dslStore(value: unknown): 'lmdb' | 'in_memory' {
  if (value === undefined) return 'lmdb'
  const normal = typeof value === 'string' ? value.toLowerCase() : ''
  if (normal === 'lmdb' || normal === 'rocksdb' || normal === 'persistent') return 'lmdb'
  if (normal === 'in_memory' || normal === 'in-memory' || normal === 'memory') return 'in_memory'
  throw new ConfigException(`config defaultDslStore must be 'lmdb' or 'in_memory', got ${JSON.stringify(value)}`)
}

export function resolveConfig(
  input: StreamsConfigInput = {},
  defaults: { applicationId?: string } = {},
): StreamsConfig {
  const config: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) {
    const camel = camelKey(key)
    config[aliases[camel] ?? camel] = value
  }
  const applicationId = config.applicationId ?? defaults.applicationId
  if (typeof applicationId !== 'string' || applicationId === '') {
    throw new ConfigException(
      'config applicationId (application.id) is required: a non-empty string naming the application',
    )
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(applicationId)) {
    throw new ConfigException(
      `config applicationId "${applicationId}" may contain only letters, digits, '.', '_' and '-' (it prefixes topic names)`,
    )
  }
  const servers = config.bootstrapServers
  const bootstrapServers =
    servers === undefined
      ? []
      : typeof servers === 'string'
        ? servers
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : (servers as string[])
  const guarantee = config.processingGuarantee ?? 'at_least_once'
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new ConfigException(
      `config processingGuarantee must be 'at_least_once' or 'exactly_once_v2', got ${JSON.stringify(guarantee)}`,
    )
  }
  const serde = (key: string): Serde<unknown> | undefined => {
    const spec = config[key]
    if (spec === undefined || spec === null) return undefined
    try {
      return serdeFrom(spec as string | Serde<unknown>)
    } catch (error) {
      throw new ConfigException(`config ${key}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const deadLetterQueue = config.errorsDeadLetterQueueTopicName ?? undefined
  if (deadLetterQueue !== undefined && (typeof deadLetterQueue !== 'string' || deadLetterQueue === '')) {
    throw new ConfigException(
      `config errorsDeadLetterQueueTopicName (errors.dead.letter.queue.topic.name) must be a topic name, got ${JSON.stringify(deadLetterQueue)}`,
    )
  }
  const handler = <H>(key: string, fallback: string, from: (spec: unknown, deadLetterQueue?: string) => H): H => {
    try {
      return from(config[key] ?? fallback, deadLetterQueue)
    } catch (error) {
      throw new ConfigException(`config ${key}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const extractor = config.defaultTimestampExtractor as TimestampExtractorLike | undefined
  return {
    applicationId,
    bootstrapServers,
    defaultKeySerde: serde('defaultKeySerde'),
    defaultValueSerde: serde('defaultValueSerde'),
    defaultTimestampExtractor: extractor ? toTimestampExtractor(extractor) : new FailOnInvalidTimestamp(),
    deserializationExceptionHandler: handler(
      'defaultDeserializationExceptionHandler',
      'logAndFail',
      deserializationHandlerFrom,
    ),
    processingExceptionHandler: handler('processingExceptionHandler', 'logAndFail', processingHandlerFrom),
    productionExceptionHandler: handler('productionExceptionHandler', 'default', productionHandlerFrom),
    errorsDeadLetterQueueTopicName: deadLetterQueue,
    processingGuarantee: guarantee,
    commitIntervalMs: num(config, 'commitIntervalMs', guarantee === 'exactly_once_v2' ? 100 : 30_000),
    maxTaskIdleMs: num(config, 'maxTaskIdleMs', 0, -1),
    numStandbyReplicas: num(config, 'numStandbyReplicas', 0),
    cacheMaxBytes: num(config, 'cacheMaxBytes', 10 * 1024 * 1024),
    stateDir: typeof config.stateDir === 'string' ? config.stateDir : join(tmpdir(), 'kstreams'),
    defaultDslStore: dslStore(config.defaultDslStore),
    topologyOptimization: typeof config.topologyOptimization === 'string' ? config.topologyOptimization : 'none',
    clientId: typeof config.clientId === 'string' && config.clientId !== '' ? config.clientId : undefined,
    numStreamThreads: num(config, 'numStreamThreads', 1, 1),
    groupInstanceId:
      typeof config.groupInstanceId === 'string' && config.groupInstanceId !== '' ? config.groupInstanceId : undefined,
    sessionTimeoutMs: num(config, 'sessionTimeoutMs', 45_000, 1),
    heartbeatIntervalMs: num(config, 'heartbeatIntervalMs', 3_000, 1),
    maxPollIntervalMs: num(config, 'maxPollIntervalMs', 300_000, 1),
    requestTimeoutMs: num(config, 'requestTimeoutMs', 30_000, 1),
    pollMs: num(config, 'pollMs', 100),
    bufferedRecordsPerPartition: num(config, 'bufferedRecordsPerPartition', 1000, 1),
    replicationFactor: num(config, 'replicationFactor', -1, -1),
    autoOffsetReset: offsetReset(config.autoOffsetReset),
    acceptableRecoveryLag: num(config, 'acceptableRecoveryLag', 10_000),
    maxWarmupReplicas: num(config, 'maxWarmupReplicas', 2, 1),
    probingRebalanceIntervalMs: num(config, 'probingRebalanceIntervalMs', 600_000, 1),
    repartitionPurgeIntervalMs: num(config, 'repartitionPurgeIntervalMs', 30_000),
    taskTimeoutMs: num(config, 'taskTimeoutMs', 300_000),
    transactionTimeoutMs: num(config, 'transactionTimeoutMs', 10_000, 1),
    originals: config,
  }
}
