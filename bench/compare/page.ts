// docs/benchmarks.md: how the comparison is made, what each system supports, and the results of one run.
import { eventsPerSecond, keySpace, stream2Ratio } from './data.ts'
import {
  resultsMarkdown,
  systemNames,
  unsupported,
  type LatencyResult,
  type RunInfo,
  type ThroughputResult,
} from './report.ts'
import { scenarioIds, scenarios, systemIds } from './spec.ts'

function supportTable(): string {
  const header = ['scenario', 'what each record goes through', ...systemIds.map((s) => systemNames[s])]
  const rows = scenarioIds.map((id) => [
    scenarios[id].title,
    `\`${scenarios[id].topology}\``,
    ...systemIds.map((system) => {
      const alos = unsupported(system, id, 'alos')
      const eos = unsupported(system, id, 'eos')
      if (!alos && !eos) return 'yes'
      if (!alos) return `at-least-once only (${eos})`
      return `no: ${alos}`
    }),
  ])
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function page(info: RunInfo, results: readonly ThroughputResult[], latencies: readonly LatencyResult[]): string {
  const small = info.options.records < 1_000_000
  return `# Benchmarks

kstreams side by side with **Java Kafka Streams** (the reference, at the broker's version) and **kafkats**
(\`@kafkats/flow\`, a TypeScript streams DSL), on the same broker, the same data and the same settings, plus a
raw \`@platformatic/kafka\` consumer -> producer pass-through: the ceiling for any library on that client.
The workloads are those of Kafka's old \`SimpleBenchmark\` (removed from Kafka in 2.6).

\`\`\`sh
npm run bench                                             # everything: 2,000,000 records, 100 B and 1 KB values
npm run bench -- --records 2000000 --sizes 100,1024 --only count,ss-join \\
                 --systems kstreams,java,kafkats --guarantees alos,eos
npm run bench -- --help                                   # every flag
\`\`\`

A local single-node Kafka is started (unless \`KAFKA_BOOTSTRAP_SERVERS\` is set), the datasets are loaded once
per value size, then every scenario runs for every system and guarantee, one at a time, each in its own
process. The tables below are printed and this page is rewritten with them. Per-run logs (stderr of each
system) and state directories go to \`.kafka-local/bench/<run>/\`. The Java side is \`scripts/reference/\`'s \`BenchRunner\`, compiled by
Maven on the way.

## Method

- **Data** (deterministic): Integer keys (Java's IntegerSerializer, 4 bytes big-endian) drawn uniformly from
  ${keySpace.toLocaleString('en-US')} keys and partitioned as Java's producer does; byte-array values of the
  chosen size. Event time advances ${eventsPerSecond.toLocaleString('en-US')} records per second, so a key
  recurs about once a second: hopping windows and the 10 s join window hold several records of a key. Topics:
  \`main\` (N records), \`table\` (one record per key, older than every main record) and \`stream2\`
  (N / ${stream2Ratio} records over the same time span: a left record has about one match within 10 s), all
  with the same partition count.
- **Each run**: a fresh application id, one stream thread (kafkats: one worker), reading the pre-loaded topics
  from the earliest offset. Every input record passes a counter in the topology (a \`peek\`, or the \`foreach\`
  of \`source\`) that notes when the first and the last record were processed; the run ends when the counter
  reaches the number of input records (or at the time cap). **records/s = records / (last - first)**, the
  same way in all systems; start-up, restoration and the final commit are not in it. MB/s counts key and value
  bytes (4 + value size per record). Output and internal topics are deleted after each run.
- **Settings**: the same commit interval and record cache (\`statestore.cache.max.bytes\`) for kstreams and
  Java; Kafka Streams' defaults otherwise (persistent stores: lmdb in kstreams, RocksDB in Java). kafkats has
  no record cache and only in-memory stores (with changelogs); its exactly-once is \`exactly_once\`. kafkats
  awaits every record's sends, so its single worker runs its partitions concurrently
  (\`partitionConcurrency\` = partition count; exactly-once forces 1).
- **Peak RSS**: of the process running the system (the JVM for Java; a Node process per TypeScript system),
  its own high-water mark (\`VmHWM\`, \`ru_maxrss\`). The JVM's grows towards its fixed heap (G1 uses the
  heap it has before it collects), so it says more about the flags than about the need.
- **Latency**: a fresh topic gets records at a fixed rate, each with its produce time in a header (all three
  systems carry headers to their outputs, for aggregations those of the latest record); the driver reads the
  output topic back (\`read_committed\` under exactly-once) and takes p50 / p99 of (read time - produce time).
  Latency runs use their own commit interval (flag \`--latency-commit-ms\`), since with caching the commit is
  what releases aggregation results. A latency marked *saturated* comes from a system whose measured
  throughput is below the input rate: it queues, and the figure measures the backlog.
- **Targets** (figures, never assertions): kstreams >= 1.0x Java on stateless scenarios, >= 0.7x on stateful
  ones, >= 1.5x kafkats wherever it runs, and the raw pass-through at most 1.5x faster than kstreams.

## Scenarios and support

${supportTable()}

Differences in semantics that remain: kafkats' stream-stream left join emits an unmatched left record at once
(Java and kstreams wait for the window to close), its windowed count has no grace setting, and its table
joins have no cache, so every update is written.

## Results

> **${small ? 'Small-scale validation run' : 'Run'} of ${info.started.toISOString().slice(0, 10)}, ${info.options.records.toLocaleString('en-US')} records per value size.**
> These numbers come from that one run${small ? ', made to check that the pipeline works end to end on a busy shared 2-core machine; they are noisy and say little about relative speed' : ''}.${info.options.note ? ` ${info.options.note}` : ''}${small ? '\n> Run `npm run bench` on a quiet machine for real figures.' : ''}

What the profiles of the slowest scenarios showed, and the optimisations they led to: [profiling.md](profiling.md).

${resultsMarkdown(info, results, latencies)}`
}
