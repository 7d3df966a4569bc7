import type { RecordContext } from './record-context.ts'

/** Chooses an output record's topic (Kafka `TopicNameExtractor`). */
export type TopicNameExtractor<K, V> = (key: K, value: V, recordContext: RecordContext) => string
