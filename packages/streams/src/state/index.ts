export { Stores, type KeyValueStoreSupplierBuilder } from './stores.ts'
export type { WindowStore, ReadOnlyWindowStore, TimestampedWindowStore, WindowStoreIterator } from './window-store.ts'
export type { WindowBytesStoreSupplier } from './internals/window-store-builder.ts'
export type { SessionStore, ReadOnlySessionStore } from './session-store.ts'
export type { SessionBytesStoreSupplier } from './internals/session-store-builder.ts'
export type { KeyValueStore, ReadOnlyKeyValueStore, TimestampedKeyValueStore } from './key-value-store.ts'
export { type KeyValueIterator, InvalidStateStoreException } from './key-value-iterator.ts'
export { ValueAndTimestamp } from './value-and-timestamp.ts'
export {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from './versioned-key-value-store.ts'
export type { VersionedBytesStoreSupplier } from './internals/versioned-store.ts'
export type { KeyValueBytesStoreSupplier } from './internals/key-value-store-builder.ts'
