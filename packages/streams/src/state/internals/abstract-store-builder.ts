import type { StateStore } from '../../processor/api/processor.ts'
import type { StoreBuilder } from '../../processor/state-store.ts'

/**
 * Kafka `AbstractStoreBuilder`: the caching and change-logging switches every store builder has.
 * Logging is on and caching off unless changed, as in Kafka.
 */
export abstract class AbstractStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  readonly name: string
  protected caching = false
  protected logging = true
  protected topicConfig: Record<string, string> = {}

  constructor(name: string) {
    this.name = name
  }

  withCachingEnabled(): this {
    this.caching = true
    return this
  }

  withCachingDisabled(): this {
    this.caching = false
    return this
  }

  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.logging = true
    this.topicConfig = { ...config }
    return this
  }

  withLoggingDisabled(): this {
    this.logging = false
    this.topicConfig = {}
    return this
  }

  cachingEnabled(): boolean {
    return this.caching
  }

  loggingEnabled(): boolean {
    return this.logging
  }

  logConfig(): { readonly [key: string]: string } {
    return this.topicConfig
  }

  abstract build(): S
}
