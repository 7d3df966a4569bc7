import { toMillis, type Duration } from './duration.ts'
import { validateName } from './named.ts'

/** How big a suppression buffer may grow and what happens when it is full (Kafka `Suppressed.BufferConfig`). */
export class BufferConfig {
  readonly maxRecords: number
  readonly maxBytes: number
  /** 'EMIT' emits the oldest records early; 'SHUT_DOWN' fails the application. */
  readonly whenFull: 'EMIT' | 'SHUT_DOWN'
  readonly loggingEnabled: boolean
  readonly logConfig: { readonly [key: string]: string }

  private constructor(
    maxRecords: number,
    maxBytes: number,
    whenFull: 'EMIT' | 'SHUT_DOWN',
    loggingEnabled = true,
    logConfig: { readonly [key: string]: string } = {},
  ) {
    this.maxRecords = maxRecords
    this.maxBytes = maxBytes
    this.whenFull = whenFull
    this.loggingEnabled = loggingEnabled
    this.logConfig = logConfig
  }

  /** No limit: the buffer holds everything until it may emit (Kafka's strict buffer). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'SHUT_DOWN')
  }

  static maxRecords(records: number): BufferConfig {
    return new BufferConfig(records, Number.MAX_SAFE_INTEGER, 'EMIT')
  }

  static maxBytes(bytes: number): BufferConfig {
    return new BufferConfig(Number.MAX_SAFE_INTEGER, bytes, 'EMIT')
  }

  withMaxRecords(records: number): BufferConfig {
    return new BufferConfig(records, this.maxBytes, this.whenFull, this.loggingEnabled, this.logConfig)
  }

  withMaxBytes(bytes: number): BufferConfig {
    return new BufferConfig(this.maxRecords, bytes, this.whenFull, this.loggingEnabled, this.logConfig)
  }

  withNoBound(): BufferConfig {
    return new BufferConfig(
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      'SHUT_DOWN',
      this.loggingEnabled,
      this.logConfig,
    )
  }

  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT', this.loggingEnabled, this.logConfig)
  }

  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN', this.loggingEnabled, this.logConfig)
  }

  withLoggingEnabled(config: { readonly [key: string]: string } = {}): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.whenFull, true, config)
  }

  withLoggingDisabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.whenFull, false, {})
  }
}

/**
 * Holds back a table's updates (Kafka `Suppressed`): until a window closes (one final result per window),
 * or until a key has been quiet for a time limit (rate-limiting).
 */
export class Suppressed {
  readonly kind: 'untilWindowCloses' | 'untilTimeLimit'
  readonly timeLimitMs: number
  readonly bufferConfig: BufferConfig
  readonly name: string | undefined

  private constructor(
    kind: 'untilWindowCloses' | 'untilTimeLimit',
    timeLimitMs: number,
    bufferConfig: BufferConfig,
    name: string | undefined,
  ) {
    if (name !== undefined) validateName(name)
    this.kind = kind
    this.timeLimitMs = timeLimitMs
    this.bufferConfig = bufferConfig
    this.name = name
  }

  static readonly BufferConfig = BufferConfig

  /** One final result per window, emitted when stream time passes the window end plus grace. */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    return new Suppressed('untilWindowCloses', 0, bufferConfig, undefined)
  }

  /** The latest update of a key, emitted once `timeToWaitForMoreEvents` of stream time passed since it was first buffered. */
  static untilTimeLimit(timeToWaitForMoreEvents: Duration | number, bufferConfig: BufferConfig): Suppressed {
    return new Suppressed(
      'untilTimeLimit',
      toMillis(timeToWaitForMoreEvents, 'timeToWaitForMoreEvents'),
      bufferConfig,
      undefined,
    )
  }

  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, name)
  }
}
