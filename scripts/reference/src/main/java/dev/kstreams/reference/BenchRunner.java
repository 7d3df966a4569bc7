package dev.kstreams.reference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Java Kafka Streams in the side-by-side benchmark ({@code npm run bench}, bench/compare.ts): runs one scenario of
 * bench/compare/spec.ts live against a broker, with the RunSpec given as JSON in {@code args[0]}, one stream thread.
 * Every input record passes a counter that notes when the first and the last were processed; stdout gets one JSON
 * line {@code {"event":"first"}} at the first record and {@code {"event":"result",...}} once the expected count is
 * reached (or the time cap, or a {@code stop} line on stdin for latency runs), with the peak RSS of this JVM.
 * Kafka's own logging goes to stderr.
 */
public final class BenchRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    // The same constants as bench/compare/spec.ts.
    private static final long WINDOW_SIZE_MS = 1000;
    private static final long WINDOW_ADVANCE_MS = 500;
    private static final long JOIN_WINDOW_MS = 10_000;
    private static final long STORE_WINDOW_MS = 1000;
    private static final long STORE_RETENTION_MS = 3000;
    private static final int FETCH_KEY_SPREAD = 10;
    private static final long FETCH_TIME_SPREAD_MS = 1000;

    private static final Serde<Integer> KEYS = Serdes.Integer();
    private static final Serde<byte[]> VALUES = Serdes.ByteArray();
    /** The joiners keep the left value: the joins are measured, not the joiner. */
    private static final ValueJoiner<byte[], byte[], byte[]> JOINER = (left, right) -> left;

    private BenchRunner() {}

    /** Counts input records; only the stream thread ticks, the main thread reads after a latch. */
    static final class Meter {
        final long expected;
        long count;
        long firstNs;
        long lastNs;
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);

        Meter(final long expected) {
            this.expected = expected;
        }

        void tick() {
            final long now = System.nanoTime();
            if (++count == 1) {
                firstNs = now;
                first.countDown();
            }
            lastNs = now;
            if (count == expected) done.countDown();
        }
    }

    public static void main(final String[] args) throws Exception {
        final JsonNode spec = JSON.readTree(args[0]);
        final JsonNode topics = spec.get("topics");
        final Meter meter = new Meter(spec.get("expected").asLong());
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, spec.get("applicationId").asText());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, spec.get("bootstrapServers").asText());
        props.put(StreamsConfig.STATE_DIR_CONFIG, spec.get("stateDir").asText());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, spec.get("guarantee").asText());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, spec.get("commitIntervalMs").asLong());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, spec.get("cacheMaxBytes").asLong());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.IntegerSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        final StreamsBuilder builder = new StreamsBuilder();
        build(builder, spec.get("scenario").asText(), topics, meter);
        final KafkaStreams streams = new KafkaStreams(builder.build(props), props);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final boolean[] stopped = {false};
        streams.setUncaughtExceptionHandler(error -> {
            failure.compareAndSet(null, error);
            meter.first.countDown();
            meter.done.countDown();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        final Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.trim().equals("stop")) {
                        synchronized (stopped) {
                            stopped[0] = true;
                        }
                        meter.first.countDown();
                        meter.done.countDown();
                    }
                }
            } catch (final IOException e) {
                // the driver went away; the time cap ends the run
            }
        }, "bench-stdin");
        stdin.setDaemon(true);
        stdin.start();

        streams.start();
        meter.first.await();
        boolean capped = false;
        if (failure.get() == null && meter.count > 0) {
            emit(JSON.createObjectNode().put("event", "first"));
            capped = !meter.done.await(spec.get("maxSeconds").asLong(), TimeUnit.SECONDS);
        }
        synchronized (stopped) {
            if (stopped[0] && meter.expected > 0) capped = true;
        }
        if (failure.get() != null) {
            emit(JSON.createObjectNode().put("event", "error").put("message", String.valueOf(failure.get())));
        } else {
            final ObjectNode result = JSON.createObjectNode();
            result.put("event", "result");
            result.put("records", meter.count);
            result.put("elapsedMs", (meter.lastNs - meter.firstNs) / 1e6);
            result.put("capped", capped);
            result.put("peakRssKb", peakRssKb());
            emit(result);
        }
        streams.close(Duration.ofSeconds(30));
        System.exit(0);
    }

    static void build(final StreamsBuilder builder, final String scenario, final JsonNode topics, final Meter meter) {
        final String main = topics.get("main").asText();
        final String table = topics.get("table").asText();
        final String stream2 = topics.get("stream2").asText();
        final String out = topics.get("out").asText();
        final Produced<Integer, byte[]> produced = Produced.with(KEYS, VALUES);
        switch (scenario) {
            case "source" -> builder.stream(main, Consumed.with(KEYS, VALUES)).foreach((k, v) -> meter.tick());
            case "sink" -> counted(builder, main, meter).to(out, produced);
            case "filter-map" -> counted(builder, main, meter)
                .filter((k, v) -> (v[v.length - 1] & 1) == 0)
                .mapValues(v -> Arrays.copyOfRange(v, 0, v.length >> 1))
                .to(out, produced);
            case "kv-store" -> {
                builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("store"), KEYS, VALUES)
                    .withCachingEnabled());
                counted(builder, main, meter).process(KeyValueProcessor::new, "store");
            }
            case "window-store" -> {
                builder.addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore("store", Duration.ofMillis(STORE_RETENTION_MS),
                            Duration.ofMillis(STORE_WINDOW_MS), false),
                        KEYS, VALUES)
                    .withCachingEnabled());
                counted(builder, main, meter).process(WindowProcessor::new, "store");
            }
            case "count" -> counted(builder, main, meter)
                .groupByKey()
                .count()
                .toStream()
                .to(out, Produced.with(KEYS, Serdes.Long()));
            case "windowed-count" -> counted(builder, main, meter)
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(WINDOW_SIZE_MS))
                    .advanceBy(Duration.ofMillis(WINDOW_ADVANCE_MS)))
                .count()
                .toStream()
                .to(out, Produced.<Windowed<Integer>, Long>with(
                    WindowedSerdes.timeWindowedSerdeFrom(Integer.class, WINDOW_SIZE_MS), Serdes.Long()));
            case "st-join" -> counted(builder, main, meter)
                .leftJoin(counted(builder, table, meter).toTable(Materialized.with(KEYS, VALUES)), JOINER)
                .to(out, produced);
            case "ss-join" -> counted(builder, main, meter)
                .leftJoin(counted(builder, stream2, meter), JOINER,
                    JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(JOIN_WINDOW_MS)),
                    StreamJoined.with(KEYS, VALUES, VALUES))
                .to(out, produced);
            case "tt-join" -> {
                final KTable<Integer, byte[]> left = counted(builder, main, meter).toTable(Materialized.with(KEYS, VALUES));
                final KTable<Integer, byte[]> right = counted(builder, table, meter).toTable(Materialized.with(KEYS, VALUES));
                left.leftJoin(right, JOINER).toStream().to(out, produced);
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }

    static KStream<Integer, byte[]> counted(final StreamsBuilder builder, final String topic, final Meter meter) {
        return builder.stream(topic, Consumed.with(KEYS, VALUES)).peek((k, v) -> meter.tick());
    }

    static final class KeyValueProcessor implements Processor<Integer, byte[], Void, Void> {
        private KeyValueStore<Integer, byte[]> store;

        @Override
        public void init(final ProcessorContext<Void, Void> context) {
            store = context.getStateStore("store");
        }

        @Override
        public void process(final Record<Integer, byte[]> record) {
            store.get(record.key());
            store.put(record.key(), record.value());
        }
    }

    static final class WindowProcessor implements Processor<Integer, byte[], Void, Void> {
        private WindowStore<Integer, byte[]> store;

        @Override
        public void init(final ProcessorContext<Void, Void> context) {
            store = context.getStateStore("store");
        }

        @Override
        public void process(final Record<Integer, byte[]> record) {
            final int key = record.key();
            final long ts = record.timestamp();
            try (KeyValueIterator<Windowed<Integer>, byte[]> found = store.fetch(Math.max(0, key - FETCH_KEY_SPREAD),
                    key + FETCH_KEY_SPREAD, ts - FETCH_TIME_SPREAD_MS, ts + FETCH_TIME_SPREAD_MS)) {
                while (found.hasNext()) found.next();
            }
            store.put(key, record.value(), ts);
        }
    }

    /** The JVM's peak resident set (VmHWM), in KiB; 0 where /proc is missing. */
    static long peakRssKb() {
        try {
            for (final String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (final IOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }

    static void emit(final ObjectNode event) throws IOException {
        System.out.println(JSON.writeValueAsString(event));
        System.out.flush();
    }
}
