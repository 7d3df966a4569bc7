import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { MeteredWindowStore } from '../../state/internals/metered-window-store.ts'
import type { JoinWindows } from '../join-windows.ts'
import type { Serde } from '../../serde/serde.ts'
import { forwardingProcessor } from './forwarding-processor.ts'
import type { ValueJoinerWithKey } from './kstream-ktable-join.ts'
import { readInt64BE, writeInt64BE } from '../../serde/internals/int64.ts'

/** Kafka `KStreamJoinWindow`: remembers every keyed record in its side's window store and passes it on. */
export function kstreamJoinWindow<K, V>(storeName: string): () => Processor<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>
    let store: MeteredWindowStore<K, V>
    return {
      init(c) {
        context = c
        store = c.getStateStore(storeName)
      },
      process(record) {
        context.forward(record)
        if (record.key !== null && record.value !== undefined && record.key !== undefined)
          store.put(record.key, record.value, record.timestamp)
      },
    }
  }
}

/**
 * The time both sides of one stream-stream join share in a task (Kafka `TimeTracker`): the highest
 * timestamp seen on either side, the lowest time of a record waiting in the outer store, and the
 * wall-clock throttle of emitting non-joined records.
 */
export class JoinTimeTracker {
  streamTime = -1
  minTime = Number.MAX_SAFE_INTEGER
  nextTimeToEmit = 0
  emitIntervalMs = 1000
}

/**
 * The shared store of records that have not joined yet (Kafka's `KSTREAM-OUTERSHARED-...-store`): keys
 * [8-byte timestamp][side: 1 left, 0 right][key], so they sort by time, then side, then key, as in Kafka;
 * the value lists the waiting values as [side][4-byte length][value bytes]...
 */
export type OuterJoinStore = KeyValueStore<Buffer, Buffer>

/** Serdes of a stream-stream join; missing ones are the application's defaults. */
export interface JoinSerdes<K, VLeft, VRight> {
  keySerde: Serde<K> | undefined
  leftValueSerde: Serde<VLeft> | undefined
  rightValueSerde: Serde<VRight> | undefined
}

function encodeWaiting(previous: Buffer | null, leftSide: boolean, value: Buffer): Buffer {
  const entry = Buffer.allocUnsafe(5 + value.length)
  entry[0] = leftSide ? 1 : 0
  entry.writeInt32BE(value.length, 1)
  value.copy(entry, 5)
  return previous ? Buffer.concat([previous, entry]) : entry
}

function* decodeWaiting(bytes: Buffer): Generator<{ leftSide: boolean; value: Buffer }> {
  let i = 0
  while (i < bytes.length) {
    const length = bytes.readInt32BE(i + 1)
    yield { leftSide: bytes[i] === 1, value: bytes.subarray(i + 5, i + 5 + length) }
    i += 5 + length
  }
}

export interface StreamStreamJoinOptions<K, VThis, VOther, VOut> {
  readonly otherStoreName: string
  readonly windows: JoinWindows
  readonly leftSide: boolean
  /** This side's joiner: (key, this value, other value). */
  readonly joiner: ValueJoinerWithKey<K, VThis, VOther | null, VOut>
  /** The user's joiner, (key, left value, right value), for records emitted from the outer store. */
  readonly leftJoiner: ValueJoinerWithKey<K, unknown, unknown, VOut>
  readonly outer: boolean
  readonly outerStoreName: string | undefined
  readonly serdes: JoinSerdes<K, unknown, unknown>
  readonly timeTracker: (taskId: string) => JoinTimeTracker
}

function outerKey(timestamp: number, leftSide: boolean, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + key.length)
  writeInt64BE(out, timestamp, 0)
  out[8] = leftSide ? 1 : 0
  key.copy(out, 9)
  return out
}

/**
 * Kafka `KStreamKStreamJoinLeftSide` / `RightSide`: a record of this side joins every record of the other
 * side stored under its key within [ts - before, ts + after] (the bounds swap on the right side), stamped
 * with the later timestamp. In a left/outer join a record that finds nothing waits in the shared outer
 * store and is emitted with a null partner once stream time passes its window end plus grace — or at
 * once when the window closed already, or when the deprecated `JoinWindows.of` asks for eager results.
 * Records with a null key or value are dropped, except that an outer side forwards a null-key record
 * with a null partner (KIP-962).
 */
export function kstreamKStreamJoin<K, VThis, VOther, VOut>(
  options: StreamStreamJoinOptions<K, VThis, VOther, VOut>,
): () => Processor<K, VThis, K, VOut> {
  const { windows, leftSide, joiner, outer } = options
  const joinBeforeMs = leftSide ? windows.beforeMs : windows.afterMs
  const joinAfterMs = leftSide ? windows.afterMs : windows.beforeMs
  const lookBack = (recordIsLeft: boolean): number => (recordIsLeft ? windows.afterMs : windows.beforeMs)
  return () => {
    let context: ProcessorContext<K, VOut>
    let otherStore: MeteredWindowStore<K, VOther>
    let outerStore: OuterJoinStore | undefined
    let tracker: JoinTimeTracker
    let keySerde: Serde<K>
    let leftSerde: Serde<unknown>
    let rightSerde: Serde<unknown>
    let topic = ''
    const keyBytes = (key: K): Buffer => keySerde.serializer().serialize(topic, key) ?? Buffer.alloc(0)

    const emitNonJoined = (record: Record<K, VThis>): void => {
      if (!outerStore) return
      if (tracker.minTime + joinAfterMs + windows.graceMs >= tracker.streamTime) return
      const now = context.currentSystemTimeMs()
      if (now < tracker.nextTimeToEmit) return
      tracker.nextTimeToEmit = now + tracker.emitIntervalMs
      tracker.minTime = Number.MAX_SAFE_INTEGER
      const emitted: Buffer[] = []
      let leftOpen = false
      let rightOpen = false
      const iterator = outerStore.all()
      try {
        while (iterator.hasNext()) {
          const { key: storeKey, value: waiting } = iterator.next()
          const timestamp = readInt64BE(storeKey, 0)
          const waitingLeft = storeKey[8] === 1
          tracker.minTime = timestamp
          if (leftOpen && rightOpen) break
          if (tracker.minTime + lookBack(waitingLeft) + windows.graceMs >= tracker.streamTime) {
            if (waitingLeft) leftOpen = true
            else rightOpen = true
            continue
          }
          const key = keySerde.deserializer().deserialize(topic, storeKey.subarray(9)) as K
          for (const entry of decodeWaiting(waiting)) {
            const joined = entry.leftSide
              ? options.leftJoiner(key, leftSerde.deserializer().deserialize(topic, entry.value), null)
              : options.leftJoiner(key, null, rightSerde.deserializer().deserialize(topic, entry.value))
            context.forward(record.withKey(key).withValue(joined).withTimestamp(timestamp))
          }
          emitted.push(storeKey)
        }
      } finally {
        iterator.close()
      }
      for (const key of emitted) outerStore.delete(key)
    }

    return {
      init(c) {
        context = c
        otherStore = c.getStateStore<MeteredWindowStore<K, VOther>>(options.otherStoreName)
        tracker = options.timeTracker(c.taskId.toString())
        const internal = c as unknown as ProcessorContextImpl
        keySerde = options.serdes.keySerde ?? (internal.requireKeySerde('a stream-stream join') as Serde<K>)
        leftSerde = options.serdes.leftValueSerde ?? internal.requireValueSerde('a stream-stream join')
        rightSerde = options.serdes.rightValueSerde ?? internal.requireValueSerde('a stream-stream join')
        if (options.outerStoreName !== undefined && windows.spuriousResultFix) {
          topic = `${c.applicationId}-${options.outerStoreName}-changelog`
          outerStore = c.getStateStore<OuterJoinStore & { name: string }>(options.outerStoreName)
          const interval = Number(c.appConfigs().__emitIntervalMsKstreamsOuterJoinSpuriousResultsFix__ ?? 1000)
          tracker.emitIntervalMs = Number.isFinite(interval) && interval >= 0 ? interval : 1000
        }
      },
      process(record: Record<K, VThis>) {
        const { key, value, timestamp } = record
        tracker.streamTime = Math.max(tracker.streamTime, timestamp)
        if (outer && (key === null || key === undefined) && value !== null && value !== undefined) {
          context.forward(record.withValue(joiner(key, value, null)))
          return
        }
        if (key === null || key === undefined || value === null || value === undefined) {
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        if (timestamp === tracker.streamTime) emitNonJoined(record)
        const timeFrom = Math.max(0, timestamp - joinBeforeMs)
        const timeTo = Math.max(0, timestamp + joinAfterMs)
        const iterator = otherStore.fetchRange(key, timeFrom, timeTo)
        let joinedAny = false
        try {
          while (iterator.hasNext()) {
            const other = iterator.next()
            joinedAny = true
            // the other record joined: it no longer waits for a null partner
            if (outerStore) outerStore.delete(outerKey(other.key, !leftSide, keyBytes(key)))
            context.forward(
              record.withValue(joiner(key, value, other.value)).withTimestamp(Math.max(timestamp, other.key)),
            )
          }
        } finally {
          iterator.close()
        }
        if (outer && !joinedAny) {
          if (!outerStore || timeTo < tracker.streamTime) {
            context.forward(record.withValue(joiner(key, value, null)))
          } else {
            tracker.minTime = Math.min(tracker.minTime, timestamp)
            const storeKey = outerKey(timestamp, leftSide, keyBytes(key))
            const serde = leftSide ? leftSerde : rightSerde
            const valueBytes = serde.serializer().serialize(topic, value) ?? Buffer.alloc(0)
            outerStore.put(storeKey, encodeWaiting(outerStore.get(storeKey), leftSide, valueBytes))
          }
        }
      },
    }
  }
}

/** Kafka's merge node of a join: both sides' results in one stream. */
export function joinMerge<K, V>(): () => Processor<K, V, K, V> {
  return forwardingProcessor<K, V, K, V>((record, context) => context.forward(record))
}

/**
 * Kafka `KStreamKStreamSelfJoin` (the `single.store.self.join` optimization of an inner join of a stream
 * with itself): one window store; each record joins the stored records within the window both ways and
 * itself, in the order an ordinary inner join would emit them.
 */
export function kstreamKStreamSelfJoin<K, V, VR>(
  storeName: string,
  windows: JoinWindows,
  joiner: ValueJoinerWithKey<K, V, V, VR>,
): () => Processor<K, V, K, VR> {
  const retentionMs = windows.size() + windows.graceMs
  return () => {
    let context: ProcessorContext<K, VR>
    let store: MeteredWindowStore<K, V>
    let streamTime = -1
    return {
      init(c) {
        context = c
        store = c.getStateStore<MeteredWindowStore<K, V>>(storeName)
      },
      process(record) {
        const { key, value, timestamp } = record
        if (key === null || key === undefined || value === null || value === undefined) {
          ;(context as unknown as ProcessorContextImpl).droppedRecords++
          return
        }
        streamTime = Math.max(streamTime, timestamp)
        const selfRecord = record.withValue(joiner(key, value, value)).withTimestamp(timestamp)
        const emitSelf = timestamp > streamTime - retentionMs + 1
        let emittedSelf = false
        const forEachStored = (from: number, to: number, each: (otherTime: number, other: V) => void): void => {
          const iterator = store.fetchRange(key, Math.max(0, from), Math.max(0, to))
          try {
            while (iterator.hasNext()) {
              const entry = iterator.next()
              each(entry.key, entry.value)
            }
          } finally {
            iterator.close()
          }
        }
        forEachStored(timestamp - windows.beforeMs, timestamp + windows.afterMs, (otherTime, other) =>
          context.forward(record.withValue(joiner(key, value, other)).withTimestamp(Math.max(timestamp, otherTime))),
        )
        forEachStored(timestamp - windows.afterMs, timestamp + windows.beforeMs, (otherTime, other) => {
          const time = Math.max(timestamp, otherTime)
          // the self join comes before the first result stamped later, to keep timestamp order
          if (timestamp < time && !emittedSelf && emitSelf) {
            emittedSelf = true
            context.forward(selfRecord)
          }
          context.forward(record.withValue(joiner(key, other, value)).withTimestamp(time))
        })
        if (!emittedSelf && emitSelf) context.forward(selfRecord)
      },
    }
  }
}
