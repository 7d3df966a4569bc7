import type { StateStore } from './api/processor.ts'
import type { ProcessorContextImpl } from './internals/processor-context-impl.ts'

export type { StateStore }

/** What a store gets when its task opens it: the task's processor context. */
export type StateStoreContext = ProcessorContextImpl

/** A store's lifecycle as the task drives it; the store kinds implement it. */
export interface ManagedStateStore extends StateStore {
  init?(context: StateStoreContext, root: StateStore): void
  flush?(): void
  close?(): void
  readonly persistent?: boolean
}

/** Builds a fresh store for each task (Kafka `StoreBuilder`). */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string
  build(): S
  loggingEnabled(): boolean
  logConfig(): { readonly [key: string]: string }
}
