import { StreamsException } from '../../../errors/streams-exception.ts'

export const SUBSCRIPTION_RESPONSE_WRAPPER_CURRENT_VERSION = 0

/**
 * Kafka `SubscriptionResponseWrapper`: the right side's answer to a subscription, sent back on the
 * response topic keyed by the primary key: the right value (null when there is none) and the hash of
 * the left value the subscription was made for. `primaryPartition` routes the response back to the
 * left record's partition; it is not serialized.
 */
export interface SubscriptionResponseWrapper<VO> {
  readonly originalValueHash: Buffer | null
  readonly foreignValue: VO | null
  readonly version: number
  readonly primaryPartition: number | null
}

export function subscriptionResponseWrapper<VO>(
  originalValueHash: Buffer | null,
  foreignValue: VO | null,
  primaryPartition: number | null,
  version: number = SUBSCRIPTION_RESPONSE_WRAPPER_CURRENT_VERSION,
): SubscriptionResponseWrapper<VO> {
  if (version < 0 || version > SUBSCRIPTION_RESPONSE_WRAPPER_CURRENT_VERSION)
    throw new StreamsException(
      `SubscriptionResponseWrapper does not support version ${version}: the response was written by a newer Kafka Streams; upgrade this application`,
    )
  return { originalValueHash, foreignValue, version, primaryPartition }
}
