import { StreamsException } from '../../../errors/streams-exception.ts'

/**
 * What the right side does with a subscription (Kafka `SubscriptionWrapper.Instruction`), by the byte
 * Kafka writes for it.
 */
export const SubscriptionInstruction = {
  /** Unsubscribe; answer nothing (the left row moved to another foreign key, which answers). */
  DELETE_KEY_NO_PROPAGATE: 0,
  /** Unsubscribe and answer with a null right value (the left row was deleted or lost its foreign key). */
  DELETE_KEY_AND_PROPAGATE: 1,
  /** Subscribe and answer, with a null right value when there is none (the foreign key changed). */
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  /** Subscribe and answer only when the right row exists (a new left row, or the same foreign key). */
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const
export type SubscriptionInstruction = (typeof SubscriptionInstruction)[keyof typeof SubscriptionInstruction]

/** Version 1 added the left record's partition, which the response goes back to. */
export const SUBSCRIPTION_WRAPPER_CURRENT_VERSION = 1

/**
 * Kafka `SubscriptionWrapper`: a left row's subscription to a foreign key, sent to the right side on the
 * subscription topic keyed by the foreign key. `hash` is the murmur3 hash of the serialized left value
 * (16 bytes; null for a deleted row), which comes back with the response so that the left side can drop
 * responses to values it no longer holds.
 */
export interface SubscriptionWrapper<K> {
  readonly hash: Buffer | null
  readonly instruction: SubscriptionInstruction
  readonly primaryKey: K
  readonly version: number
  /** The partition of the left record; null when read from a version-0 subscription. */
  readonly primaryPartition: number | null
}

export function subscriptionWrapper<K>(
  hash: Buffer | null,
  instruction: SubscriptionInstruction,
  primaryKey: K,
  primaryPartition: number | null,
  version: number = SUBSCRIPTION_WRAPPER_CURRENT_VERSION,
): SubscriptionWrapper<K> {
  if (primaryKey === null || primaryKey === undefined)
    throw new StreamsException('primaryKey cannot be null. Required by downstream processor.')
  if (version < 0 || version > SUBSCRIPTION_WRAPPER_CURRENT_VERSION)
    throw new StreamsException(
      `SubscriptionWrapper does not support version ${version}: the subscription was written by a newer Kafka Streams; upgrade this application`,
    )
  return { hash, instruction, primaryKey, version, primaryPartition }
}
