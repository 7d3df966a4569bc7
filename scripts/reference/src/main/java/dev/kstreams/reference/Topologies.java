package dev.kstreams.reference;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueTransformerWithKey;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/**
 * Named topologies for the golden scenarios under packages/streams/test/golden/NAME/. Each lambda here is
 * meant to be reproduced literally in TypeScript, so keep them small and use only String/Long values.
 */
public final class Topologies {
    private Topologies() {}

    private static final Map<String, Function<Properties, Topology>> REGISTRY = new TreeMap<>();

    private static void register(final String name, final Function<StreamsBuilder, Void> dsl) {
        REGISTRY.put(name, props -> {
            final StreamsBuilder builder = new StreamsBuilder();
            dsl.apply(builder);
            return builder.build(props);
        });
    }

    /** The names of every registered topology, sorted. */
    public static Set<String> names() {
        return REGISTRY.keySet();
    }

    /** Builds the topology NAME; props are the scenario's streams config (used by StreamsBuilder.build). */
    public static Topology build(final String name, final Properties props) {
        final Function<Properties, Topology> f = REGISTRY.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no topology named '" + name + "' in Topologies.java");
        }
        return f.apply(props);
    }

    private static String upper(final String v) {
        return v == null ? null : v.toUpperCase();
    }

    static {
        // 1
        register("filter", b -> {
            b.<String, String>stream("input")
                .filter((k, v) -> v != null && v.length() > 3)
                .to("output");
            return null;
        });

        // 2
        register("filter-not", b -> {
            b.<String, String>stream("input")
                .filterNot((k, v) -> v != null && v.length() > 3)
                .to("output");
            return null;
        });

        // 3
        register("map", b -> {
            b.<String, String>stream("input")
                .map((k, v) -> KeyValue.pair(v, k))
                .to("output");
            return null;
        });

        // 4
        register("map-values", b -> {
            b.<String, String>stream("input")
                .mapValues(v -> v == null ? null : v.toUpperCase())
                .to("output");
            return null;
        });

        // 5
        register("map-values-with-key", b -> {
            b.<String, String>stream("input")
                .mapValues((k, v) -> k + ":" + v)
                .to("output");
            return null;
        });

        // 6
        register("flat-map", b -> {
            b.<String, String>stream("input")
                .flatMap((k, v) -> {
                    final List<KeyValue<String, String>> out = new ArrayList<>();
                    if (v != null) {
                        for (final String word : v.split(" ")) {
                            out.add(KeyValue.pair(word, k));
                        }
                    }
                    return out;
                })
                .to("output");
            return null;
        });

        // 7
        register("flat-map-values", b -> {
            b.<String, String>stream("input")
                .flatMapValues(v -> v == null ? List.<String>of() : Arrays.asList(v.split(" ")))
                .to("output");
            return null;
        });

        // 8
        register("select-key", b -> {
            b.<String, String>stream("input")
                .selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .to("output");
            return null;
        });

        // 9
        register("peek", b -> {
            b.<String, String>stream("input")
                .peek((k, v) -> { })
                .mapValues(v -> v == null ? null : v.toUpperCase())
                .to("output");
            return null;
        });

        // 10
        register("foreach", b -> {
            b.<String, String>stream("input").foreach((k, v) -> { });
            return null;
        });

        // 11: RefRunner discards System.out while a scenario runs, so the printed lines go nowhere.
        register("print", b -> {
            final KStream<String, String> s = b.stream("input");
            s.print(Printed.<String, String>toSysOut().withLabel("x"));
            s.to("output");
            return null;
        });

        // 12
        register("split-branched", b -> {
            final Map<String, KStream<String, String>> branches = b.<String, String>stream("input")
                .split(Named.as("split-"))
                .branch((k, v) -> v != null && v.startsWith("a"), Branched.as("a"))
                .branch((k, v) -> v != null && v.startsWith("b"),
                    Branched.withConsumer(ks -> ks.mapValues(v -> v.toUpperCase()).to("output-b")))
                .defaultBranch(Branched.as("other"));
            branches.get("split-a").to("output-a");
            branches.get("split-other").to("output-other");
            return null;
        });

        // 13: the map's keys are generated (splitter name + branch index); sorted, branch 1 comes first.
        register("split-no-names", b -> {
            final Map<String, KStream<String, String>> branches = b.<String, String>stream("input")
                .split()
                .branch((k, v) -> v != null && v.startsWith("a"))
                .branch((k, v) -> v != null && v.startsWith("b"))
                .noDefaultBranch();
            final List<String> names = new ArrayList<>(new TreeMap<>(branches).keySet());
            branches.get(names.get(0)).to("output-a");
            branches.get(names.get(1)).to("output-b");
            return null;
        });

        // 14
        register("merge", b -> {
            final KStream<String, String> s1 = b.stream("input");
            final KStream<String, String> s2 = b.<String, String>stream("input2")
                .mapValues(v -> v == null ? null : v.toUpperCase());
            s1.merge(s2).to("output");
            return null;
        });

        // 15: describe() prints the extractor's toString(), which for a lambda holds an identity hash; the
        // named class below keeps describe.txt stable.
        register("to-extractor", b -> {
            b.<String, String>stream("input").to(new ValuePrefixTopicExtractor());
            return null;
        });

        // 16
        register("to-partitioner", b -> {
            b.<String, String>stream("input")
                .to("output", Produced.with(Serdes.String(), Serdes.String())
                    .withStreamPartitioner((topic, k, v, n) -> Optional.of(Set.of(0))));
            return null;
        });

        // 17
        register("repartition-named", b -> {
            b.<String, String>stream("input")
                .selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .repartition(Repartitioned.as("rekeyed"))
                .mapValues((k, v) -> k + ":" + v)
                .to("output");
            return null;
        });

        // 18
        register("repartition-unnamed", b -> {
            b.<String, String>stream("input")
                .repartition()
                .filter((k, v) -> v != null && v.length() > 3)
                .to("output");
            return null;
        });

        // 19
        register("named-operators", b -> {
            b.stream("input", Consumed.<String, String>as("my-source"))
                .filter((k, v) -> v != null && v.length() > 3, Named.as("my-filter"))
                .mapValues(v -> v.toUpperCase(), Named.as("my-map"))
                .to("output", Produced.as("my-sink"));
            return null;
        });

        // 20
        register("multi-topic-source", b -> {
            b.<String, String>stream(List.of("input", "input2"))
                .mapValues(v -> v == null ? null : v.toUpperCase())
                .to("output");
            return null;
        });

        // 21
        register("pattern-source", b -> {
            b.<String, String>stream(Pattern.compile("input.*")).to("output");
            return null;
        });

        // 22
        register("timestamp-extractor", b -> {
            b.stream("input", Consumed.with(Serdes.String(), Serdes.String())
                    .withTimestampExtractor((rec, prev) -> Long.parseLong(rec.value().toString().split(",")[0])))
                .to("output");
            return null;
        });

        // 23
        register("process-punctuate", b -> {
            b.<String, String>stream("input")
                .process(CountingProcessor::new, Named.as("counter"))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 24
        register("process-values", b -> {
            b.<String, String>stream("input")
                .processValues(BangProcessor::new)
                .to("output");
            return null;
        });

        // 25: Processor API, no StreamsBuilder.
        REGISTRY.put("processor-api", props -> {
            final Topology t = new Topology();
            t.addSource("Source", new StringDeserializer(), new StringDeserializer(), "input");
            t.addProcessor("Upper", UpperProcessor::new, "Source");
            t.addProcessor("Len", LengthProcessor::new, "Upper");
            t.addSink("SinkA", "output-a", new StringSerializer(), new StringSerializer(), "Upper");
            t.addSink("SinkB", "output-b", new StringSerializer(), new LongSerializer(), "Len");
            return t;
        });

        // 26
        register("wall-clock-punctuate", b -> {
            b.<String, String>stream("input")
                .process(WallClockProcessor::new)
                .to("output");
            return null;
        });

        // 27
        register("headers-timestamps", b -> {
            b.<String, String>stream("input")
                .process(ShiftProcessor::new)
                .to("output");
            return null;
        });

        // ---- Stateful scenarios. Cache off means config statestore.cache.max.bytes=0 in scenario.json. ----

        // 28
        register("count-by-key", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 29: the same topology as count-by-key; the scenario keeps the default cache.
        register("count-by-key-cached", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 30
        register("count-named-store", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .count(Materialized.as("counts"))
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 31
        register("reduce-concat", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .reduce((a, c) -> a + "," + c)
                .toStream()
                .to("output");
            return null;
        });

        // 32
        register("aggregate-sum-length", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .aggregate(() -> 0L, (k, v, agg) -> agg + v.length(), Materialized.with(Serdes.String(), Serdes.Long()))
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 33
        register("group-by-repartition", b -> {
            b.<String, String>stream("input")
                .groupBy((k, v) -> v == null ? null : v.substring(0, 1))
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 34
        register("group-by-named", b -> {
            b.<String, String>stream("input")
                .groupBy((k, v) -> v == null ? null : v.substring(0, 1), Grouped.as("by-first"))
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 35
        register("select-key-group-by-key", b -> {
            b.<String, String>stream("input")
                .selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .groupByKey()
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 36: the same topology; the scenario sets topology.optimization=all (given to build(props) and the driver).
        register("select-key-group-by-key-optimized", b -> {
            b.<String, String>stream("input")
                .selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .groupByKey()
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 37
        register("two-aggregations", Topologies::twoAggregations);

        // 38: the same topology; the scenario sets topology.optimization=all, which merges the repartition topics.
                register("two-aggregations-optimized", Topologies::twoAggregations);

        // two re-keyed streams merged, then counted and reduced: with topology.optimization=all, one repartition
        // topic after the merge node replaces the two
        register("merged-aggregations", Topologies::mergedAggregations);
        register("merged-aggregations-optimized", Topologies::mergedAggregations);


        // 39
        register("table-source", b -> {
            b.<String, String>table("input", Materialized.as("tbl"))
                .toStream()
                .to("output");
            return null;
        });

        // 40
        register("table-filter", b -> {
            b.<String, String>table("input")
                .filter((k, v) -> v.length() > 3)
                .toStream()
                .to("output");
            return null;
        });

        // 41
        register("table-map-values", b -> {
            b.<String, String>table("input")
                .mapValues(v -> v.toUpperCase())
                .toStream()
                .to("output");
            return null;
        });

        // 42
        register("table-group-by-count", Topologies::tableGroupByCount);

        // 43
        register("table-group-by-reduce", b -> {
            b.<String, String>table("input")
                .groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), (long) v.length()),
                    Grouped.with(Serdes.String(), Serdes.Long()))
                .reduce((a, c) -> a + c, (a, c) -> a - c)
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 44
        register("table-group-by-aggregate", b -> {
            b.<String, String>table("input")
                .groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), v))
                .aggregate(() -> "", (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v)
                .toStream()
                .to("output");
            return null;
        });

        // 45
        register("stream-to-table", b -> {
            b.<String, String>stream("input")
                .toTable()
                .toStream()
                .to("output");
            return null;
        });

        // 46
        register("tumbling-count", Topologies::tumblingCount);

        // 47
        register("tumbling-count-grace", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .count()
                .toStream((wk, v) -> windowKey(wk))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 48
        register("hopping-count", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(200))
                    .advanceBy(Duration.ofMillis(500)))
                .count()
                .toStream((wk, v) -> windowKey(wk))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 49
        register("hopping-aggregate", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(200))
                    .advanceBy(Duration.ofMillis(500)))
                .aggregate(() -> "", (k, v, agg) -> agg + v)
                .toStream((wk, v) -> windowKey(wk))
                .to("output");
            return null;
        });

        // 50
        register("tumbling-reduce", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(1000)))
                .reduce((a, c) -> a + "," + c)
                .toStream((wk, v) -> windowKey(wk))
                .to("output");
            return null;
        });

        // 51
        register("sliding-count", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .count()
                .toStream((wk, v) -> windowKey(wk))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 52
        register("sliding-aggregate", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .aggregate(() -> "", (k, v, agg) -> agg + v)
                .toStream((wk, v) -> windowKey(wk))
                .to("output");
            return null;
        });

        // 53
        register("session-count", Topologies::sessionCount);

        // 53b: the same topology as session-count; the scenario keeps the default cache.
        register("session-count-cached", Topologies::sessionCount);

        // 54
        register("session-aggregate", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .aggregate(() -> "", (k, v, agg) -> agg + v, (k, a, c) -> a + c)
                .toStream((wk, v) -> windowKey(wk))
                .to("output");
            return null;
        });

        // 55
        register("session-reduce", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(1000)))
                .reduce((a, c) -> a + "," + c)
                .toStream((wk, v) -> windowKey(wk))
                .to("output");
            return null;
        });

        // 56: without serdes on count() the suppress buffer falls back to the default (String) key serde for the
        // Windowed key and fails with a ClassCastException; Materialized.with gives it String, wrapped as windowed.
        register("suppress-window-close", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .count(Materialized.with(Serdes.String(), Serdes.Long()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream((wk, v) -> windowKey(wk))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 57
        register("suppress-time-limit", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .count()
                .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(1000), Suppressed.BufferConfig.unbounded()))
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 58
        register("emit-final", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .emitStrategy(EmitStrategy.onWindowClose())
                .count()
                .toStream((wk, v) -> windowKey(wk))
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 59: the same topology as tumbling-count; the scenario keeps the default cache.
        register("windowed-cached", Topologies::tumblingCount);

        // 60: the same topology as table-group-by-count; the scenario keeps the default cache.
        register("table-cached", Topologies::tableGroupByCount);

        // 61
        register("cogroup", b -> {
            final KGroupedStream<String, String> g1 = b.<String, String>stream("input").groupByKey();
            final KGroupedStream<String, String> g2 = b.<String, String>stream("input2").groupByKey();
            g1.<String>cogroup((k, v, agg) -> agg + "|1:" + v)
                .cogroup(g2, (k, v, agg) -> agg + "|2:" + v)
                .aggregate(() -> "")
                .toStream()
                .to("output");
            return null;
        });

                // windowed cogroups: time, sliding and session windows
        register("cogroup-time-windows", b -> {
            final KGroupedStream<String, String> g1 = b.<String, String>stream("input").groupByKey();
            final KGroupedStream<String, String> g2 = b.<String, String>stream("input2").groupByKey();
            g1.<String>cogroup((k, v, agg) -> agg + "|1:" + v)
                .cogroup(g2, (k, v, agg) -> agg + "|2:" + v)
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofMillis(500)))
                .aggregate(() -> "")
                .toStream((wk, v) -> wk.key() + "@" + wk.window().start() + "/" + wk.window().end())
                .to("output");
            return null;
        });
        register("cogroup-sliding-windows", b -> {
            final KGroupedStream<String, String> g1 = b.<String, String>stream("input").groupByKey();
            final KGroupedStream<String, String> g2 = b.<String, String>stream("input2").groupByKey();
            g1.<String>cogroup((k, v, agg) -> agg + "|1:" + v)
                .cogroup(g2, (k, v, agg) -> agg + "|2:" + v)
                .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(500)))
                .aggregate(() -> "", Materialized.as("sliding-store"))
                .toStream((wk, v) -> wk.key() + "@" + wk.window().start() + "/" + wk.window().end())
                .to("output");
            return null;
        });
        register("cogroup-session-windows", b -> {
            final KGroupedStream<String, String> g1 = b.<String, String>stream("input").groupByKey();
            final KGroupedStream<String, String> g2 = b.<String, String>stream("input2").groupByKey();
            g1.<String>cogroup((k, v, agg) -> agg + "|1:" + v)
                .cogroup(g2, (k, v, agg) -> agg + "|2:" + v)
                .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(500)))
                .aggregate(() -> "", (k, a1, a2) -> a1 + "+" + a2, Named.as("sessions"))
                .toStream((wk, v) -> wk.key() + "@" + wk.window().start() + "/" + wk.window().end())
                .to("output");
            return null;
        });

        // 62: the same topology as count-by-key; the scenario has null keys and null values.
        register("count-null-keys", b -> {
            b.<String, String>stream("input")
                .groupByKey()
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });

        // 63: KTable#transformValues still exists in 4.4 (only the KStream transformers were removed in 4.0).
        register("transform-values-table", b -> {
            b.<String, String>table("input")
                .transformValues(KeyEqualsValueTransformer::new)
                .toStream()
                .to("output");
            return null;
        });

        // 64
        register("queryable-store", b -> {
            final KTable<String, String> t = b.table("input", Materialized.as("q-store"));
            t.filter((k, v) -> v.length() > 3, Materialized.as("filtered-store"))
                .toStream()
                .to("output");
            return null;
        });

        // A global table read by a processor through its store.
        register("global-table-lookup", b -> {
            b.<String, String>globalTable("input", Materialized.as("global-store"));
            b.<String, String>stream("input2")
                .process(GlobalLookupProcessor::new)
                .to("output");
            return null;
        });
    }

    // ---- Joins. Topics left/right (orders/payments for seed-order-payment), String keys and values, output
    // "output". Every joiner is (l, r) -> l + "+" + r: Java string concatenation prints a null side as "null".

    static {
        // J1: stream-stream inner join, 100 ms either side, no grace.
        register("ss-inner", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
                .to("output");
            return null;
        });

        // J2
        register("ss-inner-grace", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv,
                    JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(50)))
                .to("output");
            return null;
        });

        // J3a: before = 50, after = 100: a left record at t joins right records in [t - 50, t + 100].
        register("ss-before", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv,
                    JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)).before(Duration.ofMillis(50)))
                .to("output");
            return null;
        });

        // J3b: before = 100, after = 50: a left record at t joins right records in [t - 100, t + 50].
        register("ss-after", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv,
                    JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)).after(Duration.ofMillis(50)))
                .to("output");
            return null;
        });

        // J4
        register("ss-left", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.leftJoin(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
                .to("output");
            return null;
        });

        // J5
        register("ss-left-grace", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.leftJoin(r, (lv, rv) -> lv + "+" + rv,
                    JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(50)))
                .to("output");
            return null;
        });

        // J6
        register("ss-outer", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.outerJoin(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
                .to("output");
            return null;
        });

        // J7
        register("ss-outer-grace", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.outerJoin(r, (lv, rv) -> lv + "+" + rv,
                    JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(100), Duration.ofMillis(50)))
                .to("output");
            return null;
        });

        // J8: a stream joined with itself (no optimization: two window stores fed by the same source).
        register("ss-self-join", Topologies::selfJoin);

        // J8b: the same topology; the scenario sets topology.optimization=all (one store, self-join processor).
        register("ss-self-join-optimized", Topologies::selfJoin);

        // J9
        register("ss-named", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)),
                    StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String())
                        .withName("my-join")
                        .withStoreName("my-store"))
                .to("output");
            return null;
        });

        // J10: the re-keyed left side is repartitioned before the join.
        register("ss-rekeyed", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .join(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
                .to("output");
            return null;
        });

        // J11: the same topology as ss-inner; the scenario has null keys and null values on both sides.
        register("ss-null-keys", b -> {
            final KStream<String, String> l = b.stream("left");
            final KStream<String, String> r = b.stream("right");
            l.join(r, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
                .to("output");
            return null;
        });

        // J12: stream-table inner join.
        register("st-inner", b -> {
            final KStream<String, String> l = b.stream("left");
            final KTable<String, String> t = b.table("right");
            l.join(t, (lv, rv) -> lv + "+" + rv).to("output");
            return null;
        });

        // J13
        register("st-left", b -> {
            final KStream<String, String> l = b.stream("left");
            final KTable<String, String> t = b.table("right");
            l.leftJoin(t, (lv, rv) -> lv + "+" + rv).to("output");
            return null;
        });

        // J14
        register("st-rekeyed", b -> {
            final KStream<String, String> l = b.stream("left");
            final KTable<String, String> t = b.table("right");
            l.selectKey((k, v) -> v == null ? null : v.substring(0, 1))
                .join(t, (lv, rv) -> lv + "+" + rv)
                .to("output");
            return null;
        });

        // J15
        register("st-named", b -> {
            final KStream<String, String> l = b.stream("left");
            final KTable<String, String> t = b.table("right");
            l.join(t, (lv, rv) -> lv + "+" + rv,
                    Joined.with(Serdes.String(), Serdes.String(), Serdes.String()).withName("j"))
                .to("output");
            return null;
        });

        // J16: versioned table (history retention 1000 ms); the join buffers stream records for 200 ms of
        // stream time and joins each with the table version valid at its timestamp.
        register("st-versioned-grace", b -> {
            final KStream<String, String> l = b.stream("left");
            final KTable<String, String> t = b.table("right",
                Materialized.<String, String>as(Stores.persistentVersionedKeyValueStore("vt", Duration.ofMillis(1000))));
            l.join(t, (lv, rv) -> lv + "+" + rv,
                    Joined.with(Serdes.String(), Serdes.String(), Serdes.String())
                        .withGracePeriod(Duration.ofMillis(200)))
                .to("output");
            return null;
        });

        // J17: stream-globalTable join; the global key is the value's first character.
        register("sg-inner", b -> {
            final KStream<String, String> l = b.stream("left");
            final GlobalKTable<String, String> g = b.globalTable("right");
            l.join(g, (k, v) -> v.substring(0, 1), (lv, rv) -> lv + "+" + rv).to("output");
            return null;
        });

        // J18
        register("sg-left", b -> {
            final KStream<String, String> l = b.stream("left");
            final GlobalKTable<String, String> g = b.globalTable("right");
            l.leftJoin(g, (k, v) -> v.substring(0, 1), (lv, rv) -> lv + "+" + rv).to("output");
            return null;
        });

        // J19
                register("tt-inner", Topologies::tableTableInner);

        // a versioned left table: its out-of-order updates (older than its latest) do not join
        register("tt-versioned", b -> {
            final KTable<String, String> lt = b.table("left",
                Materialized.<String, String>as(Stores.persistentVersionedKeyValueStore("lv", Duration.ofMillis(10000))));
            final KTable<String, String> rt = b.table("right");
            lt.leftJoin(rt, (lv, rv) -> lv + "+" + rv).toStream().to("output");
            return null;
        });

        // a versioned table regrouped and counted: out-of-order updates neither subtract nor add
        register("table-group-by-versioned", b -> {
            b.<String, String>table("input",
                    Materialized.<String, String>as(Stores.persistentVersionedKeyValueStore("iv", Duration.ofMillis(10000))))
                .groupBy((k, v) -> KeyValue.pair(v, v))
                .count()
                .toStream()
                .to("output", Produced.with(Serdes.String(), Serdes.Long()));
            return null;
        });


        // J20
        register("tt-left", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.leftJoin(rt, (lv, rv) -> lv + "+" + rv).toStream().to("output");
            return null;
        });

        // J21
        register("tt-outer", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.outerJoin(rt, (lv, rv) -> lv + "+" + rv).toStream().to("output");
            return null;
        });

        // J22
        register("tt-materialized", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.join(rt, (lv, rv) -> lv + "+" + rv, Materialized.as("joined")).toStream().to("output");
            return null;
        });

        // J23: the same topology as tt-inner; the scenario keeps the default cache.
        register("tt-cached", Topologies::tableTableInner);

        // J24: foreign-key join; the foreign key is the left value up to the first ':'.
        register("fk-inner", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.join(rt, v -> v.split(":")[0], (lv, rv) -> lv + "+" + rv).toStream().to("output");
            return null;
        });

        // J25
        register("fk-left", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.leftJoin(rt, v -> v.split(":")[0], (lv, rv) -> lv + "+" + rv).toStream().to("output");
            return null;
        });

        // J26
        register("fk-named", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.join(rt, v -> v.split(":")[0], (lv, rv) -> lv + "+" + rv, TableJoined.as("fkj"),
                    Materialized.as("fk-out"))
                .toStream()
                .to("output");
            return null;
        });

        // J27: the filtered side's value getter re-applies the filter to the source store.
        register("tt-filter-join", b -> {
            final KTable<String, String> lt = b.table("left");
            final KTable<String, String> rt = b.table("right");
            lt.filter((k, v) -> v.length() > 3)
                .join(rt, (lv, rv) -> lv + "+" + rv)
                .toStream()
                .to("output");
            return null;
        });

        // J28: what the removed JoinWindows.of(Duration.ofMinutes(10)) meant: 10 min either side, grace
        // 24 h - 2 x 10 min (so the window stores retain 24 h).
        register("seed-order-payment", b -> {
            final KStream<String, String> orders = b.stream("orders");
            final KStream<String, String> payments = b.stream("payments");
            orders.join(payments,
                    (order, payment) -> "{\"order\":" + order + ",\"payment\":" + payment + "}",
                    JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMinutes(10),
                        Duration.ofHours(24).minus(Duration.ofMinutes(20))))
                .to("output");
            return null;
        });
    }

    /**
     * Store reads through the record cache: a processor runs the commands in each record's value (';'
     * between them, all in one process() call) on a persistent store with caching on (the *-cached
     * scenarios keep the cache, the others turn it off), and forwards what each read returned.
     */
    private static void storeReads(final String name, final String store,
                                   final org.apache.kafka.streams.state.StoreBuilder<?> storeBuilder,
                                   final org.apache.kafka.streams.processor.api.ProcessorSupplier<String, String, String, String> processor) {
        register(name, b -> {
            b.addStateStore(storeBuilder);
            b.<String, String>stream("input").process(processor, store).to("output");
            return null;
        });
    }

    static {
        // retention 1 h: segments of 30 min (1,800,000 ms)
        for (final String name : List.of("window-store-reads", "window-store-reads-cached")) {
            storeReads(name, "ws",
                Stores.windowStoreBuilder(
                        Stores.persistentWindowStore("ws", Duration.ofHours(1), Duration.ofSeconds(1), false),
                        Serdes.String(), Serdes.String())
                    .withCachingEnabled(),
                WindowCommands::new);
        }
        for (final String name : List.of("kv-store-reads", "kv-store-reads-cached")) {
            storeReads(name, "kv",
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("kv"), Serdes.String(), Serdes.String())
                    .withCachingEnabled(),
                KeyValueCommands::new);
        }
        for (final String name : List.of("session-store-reads", "session-store-reads-cached")) {
            storeReads(name, "ss",
                Stores.sessionStoreBuilder(
                        Stores.persistentSessionStore("ss", Duration.ofHours(1)), Serdes.String(), Serdes.String())
                    .withCachingEnabled(),
                SessionCommands::new);
        }
    }

    /** "-" in a command stands for a null key bound. */
    private static String keyArg(final String s) {
        return "-".equals(s) ? null : s;
    }

    /** The commands of a *-store-reads record: its value split at ';', each split at spaces. */
    private static List<String[]> commands(final String value) {
        final List<String[]> out = new ArrayList<>();
        for (final String command : value.split(";")) {
            out.add(command.trim().split(" "));
        }
        return out;
    }

    private static String windowed(final KeyValue<Windowed<String>, String> kv, final boolean session) {
        final Windowed<String> k = kv.key;
        return k.key() + "@" + k.window().start() + (session ? "/" + k.window().end() : "") + "=" + kv.value;
    }

    /** window-store-reads(-cached): put, del, get, fetch, bfetch, range, brange, all, ball, fetchall, bfetchall. */
    static final class WindowCommands implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private org.apache.kafka.streams.state.WindowStore<String, String> store;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore("ws");
        }

        @Override
        public void process(final Record<String, String> record) {
            for (final String[] c : commands(record.value())) {
                final List<String> read = new ArrayList<>();
                switch (c[0]) {
                    case "put":
                        store.put(c[1], c[3], Long.parseLong(c[2]));
                        continue;
                    case "del":
                        store.put(c[1], null, Long.parseLong(c[2]));
                        continue;
                    case "get":
                        read.add(String.valueOf(store.fetch(c[1], Long.parseLong(c[2]))));
                        break;
                    case "fetch":
                    case "bfetch":
                        try (org.apache.kafka.streams.state.WindowStoreIterator<String> it = "fetch".equals(c[0])
                                ? store.fetch(c[1], Long.parseLong(c[2]), Long.parseLong(c[3]))
                                : store.backwardFetch(c[1], Long.parseLong(c[2]), Long.parseLong(c[3]))) {
                            it.forEachRemaining(kv -> read.add(kv.key + "=" + kv.value));
                        }
                        break;
                    default:
                        try (org.apache.kafka.streams.state.KeyValueIterator<Windowed<String>, String> it = windowRead(c)) {
                            it.forEachRemaining(kv -> read.add(windowed(kv, false)));
                        }
                }
                context.forward(record.withValue(String.join(" ", c) + " -> " + String.join(" ", read)));
            }
        }

        private org.apache.kafka.streams.state.KeyValueIterator<Windowed<String>, String> windowRead(final String[] c) {
            switch (c[0]) {
                case "range":
                    return store.fetch(keyArg(c[1]), keyArg(c[2]), Long.parseLong(c[3]), Long.parseLong(c[4]));
                case "brange":
                    return store.backwardFetch(keyArg(c[1]), keyArg(c[2]), Long.parseLong(c[3]), Long.parseLong(c[4]));
                case "all":
                    return store.all();
                case "ball":
                    return store.backwardAll();
                case "fetchall":
                    return store.fetchAll(Long.parseLong(c[1]), Long.parseLong(c[2]));
                case "bfetchall":
                    return store.backwardFetchAll(Long.parseLong(c[1]), Long.parseLong(c[2]));
                default:
                    throw new IllegalArgumentException("unknown command " + c[0]);
            }
        }
    }

    /** kv-store-reads(-cached): put, del, get, range, rrange, all, rall, prefix. */
    static final class KeyValueCommands implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private org.apache.kafka.streams.state.KeyValueStore<String, String> store;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore("kv");
        }

        @Override
        public void process(final Record<String, String> record) {
            for (final String[] c : commands(record.value())) {
                final List<String> read = new ArrayList<>();
                switch (c[0]) {
                    case "put":
                        store.put(c[1], c[2]);
                        continue;
                    case "del":
                        store.delete(c[1]);
                        continue;
                    case "get":
                        read.add(String.valueOf(store.get(c[1])));
                        break;
                    default:
                        try (org.apache.kafka.streams.state.KeyValueIterator<String, String> it = keyValueRead(c)) {
                            it.forEachRemaining(kv -> read.add(kv.key + "=" + kv.value));
                        }
                }
                context.forward(record.withValue(String.join(" ", c) + " -> " + String.join(" ", read)));
            }
        }

        private org.apache.kafka.streams.state.KeyValueIterator<String, String> keyValueRead(final String[] c) {
            switch (c[0]) {
                case "range":
                    return store.range(keyArg(c[1]), keyArg(c[2]));
                case "rrange":
                    return store.reverseRange(keyArg(c[1]), keyArg(c[2]));
                case "all":
                    return store.all();
                case "rall":
                    return store.reverseAll();
                case "prefix":
                    return store.prefixScan(c[1], new StringSerializer());
                default:
                    throw new IllegalArgumentException("unknown command " + c[0]);
            }
        }
    }

    /** session-store-reads(-cached): put, rm, get, find, bfind, findr, bfindr, fetch, bfetch, fetchr, bfetchr. */
    static final class SessionCommands implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private org.apache.kafka.streams.state.SessionStore<String, String> store;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore("ss");
        }

        private static Windowed<String> session(final String key, final String start, final String end) {
            return new Windowed<>(key, new org.apache.kafka.streams.kstream.internals.SessionWindow(
                Long.parseLong(start), Long.parseLong(end)));
        }

        @Override
        public void process(final Record<String, String> record) {
            for (final String[] c : commands(record.value())) {
                final List<String> read = new ArrayList<>();
                switch (c[0]) {
                    case "put":
                        store.put(session(c[1], c[2], c[3]), c[4]);
                        continue;
                    case "rm":
                        store.remove(session(c[1], c[2], c[3]));
                        continue;
                    case "get":
                        read.add(String.valueOf(store.fetchSession(c[1], Long.parseLong(c[2]), Long.parseLong(c[3]))));
                        break;
                    default:
                        try (org.apache.kafka.streams.state.KeyValueIterator<Windowed<String>, String> it = sessionRead(c)) {
                            it.forEachRemaining(kv -> read.add(windowed(kv, true)));
                        }
                }
                context.forward(record.withValue(String.join(" ", c) + " -> " + String.join(" ", read)));
            }
        }

        private org.apache.kafka.streams.state.KeyValueIterator<Windowed<String>, String> sessionRead(final String[] c) {
            switch (c[0]) {
                case "find":
                    return store.findSessions(c[1], Long.parseLong(c[2]), Long.parseLong(c[3]));
                case "bfind":
                    return store.backwardFindSessions(c[1], Long.parseLong(c[2]), Long.parseLong(c[3]));
                case "findr":
                    return store.findSessions(keyArg(c[1]), keyArg(c[2]), Long.parseLong(c[3]), Long.parseLong(c[4]));
                case "bfindr":
                    return store.backwardFindSessions(keyArg(c[1]), keyArg(c[2]), Long.parseLong(c[3]), Long.parseLong(c[4]));
                case "fetch":
                    return store.fetch(c[1]);
                case "bfetch":
                    return store.backwardFetch(c[1]);
                case "fetchr":
                    return store.fetch(keyArg(c[1]), keyArg(c[2]));
                case "bfetchr":
                    return store.backwardFetch(keyArg(c[1]), keyArg(c[2]));
                default:
                    throw new IllegalArgumentException("unknown command " + c[0]);
            }
        }
    }

    /** ss-self-join(-optimized): left joined with itself, 100 ms either side, no grace. */
    private static Void selfJoin(final StreamsBuilder b) {
        final KStream<String, String> l = b.stream("left");
        l.join(l, (lv, rv) -> lv + "+" + rv, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(100)))
            .to("output");
        return null;
    }

    /** tt-inner, tt-cached: table-table inner join. */
    private static Void tableTableInner(final StreamsBuilder b) {
        final KTable<String, String> lt = b.table("left");
        final KTable<String, String> rt = b.table("right");
        lt.join(rt, (lv, rv) -> lv + "+" + rv).toStream().to("output");
        return null;
    }

    /** global-table-lookup: value + "/" + the global store's value for the key (or "none"). */
    static final class GlobalLookupProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private org.apache.kafka.streams.state.TimestampedKeyValueStore<String, String> store;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore("global-store");
        }

        @Override
        public void process(final Record<String, String> record) {
            final org.apache.kafka.streams.state.ValueAndTimestamp<String> stored = store.get(record.key());
            context.forward(record.withValue(record.value() + "/" + (stored == null ? "none" : stored.value())));
        }
    }

    /** Windowed keys as strings: key@start/end. */
    private static String windowKey(final Windowed<String> wk) {
        return wk.key() + "@" + wk.window().start() + "/" + wk.window().end();
    }

    /** two-aggregations(-optimized): one selectKey, then a count and a reduce of the re-keyed stream. */
    private static Void twoAggregations(final StreamsBuilder b) {
        final KStream<String, String> rekeyed = b.<String, String>stream("input")
            .selectKey((k, v) -> v == null ? null : v.substring(0, 1));
        rekeyed.groupByKey()
            .count()
            .toStream()
            .to("output-count", Produced.with(Serdes.String(), Serdes.Long()));
        rekeyed.groupByKey()
            .reduce((a, c) -> a + "," + c)
            .toStream()
            .to("output-reduce");
        return null;
    }

        /** merged-aggregations(-optimized): two re-keyed streams merged, then a count and a reduce. */
    private static Void mergedAggregations(final StreamsBuilder b) {
        final KStream<String, String> first = b.<String, String>stream("input")
            .selectKey((k, v) -> v == null ? null : v.substring(0, 1));
        final KStream<String, String> second = b.<String, String>stream("input2")
            .map((k, v) -> KeyValue.pair(v == null ? null : v.substring(0, 1), v));
        final KStream<String, String> merged = first.merge(second);
        merged.groupByKey()
            .count()
            .toStream()
            .to("output-count", Produced.with(Serdes.String(), Serdes.Long()));
        merged.groupByKey()
            .reduce((a, c) -> a + "," + c)
            .toStream()
            .to("output-reduce");
        return null;
    }

    /** table-group-by-count, table-cached: re-key a table by its value and count. */
    private static Void tableGroupByCount(final StreamsBuilder b) {
        b.<String, String>table("input")
            .groupBy((k, v) -> KeyValue.pair(v, v))
            .count()
            .toStream()
            .to("output", Produced.with(Serdes.String(), Serdes.Long()));
        return null;
    }

    /** tumbling-count, windowed-cached: 1000 ms tumbling windows without grace, counted. */
    private static Void tumblingCount(final StreamsBuilder b) {
        b.<String, String>stream("input")
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(1000)))
            .count()
            .toStream((wk, v) -> windowKey(wk))
            .to("output", Produced.with(Serdes.String(), Serdes.Long()));
        return null;
    }

    /** session-count, session-count-cached: session windows with a 1000 ms gap and no grace, counted. */
    private static Void sessionCount(final StreamsBuilder b) {
        b.<String, String>stream("input")
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(1000)))
            .count()
            .toStream((wk, v) -> windowKey(wk))
            .to("output", Produced.with(Serdes.String(), Serdes.Long()));
        return null;
    }

    /** transform-values-table: (k, v) -> k + "=" + v, called for tombstones too (so "a=null"). */
    static final class KeyEqualsValueTransformer implements ValueTransformerWithKey<String, String, String> {
        @Override
        public void init(final org.apache.kafka.streams.processor.ProcessorContext context) { }

        @Override
        public String transform(final String key, final String value) {
            return key + "=" + value;
        }

        @Override
        public void close() { }
    }

    /** to-extractor: (k, v, ctx) -> v != null && v.startsWith("a") ? "output-a" : "output-b". */
    static final class ValuePrefixTopicExtractor implements TopicNameExtractor<String, String> {
        @Override
        public String extract(final String key, final String value, final RecordContext recordContext) {
            return value != null && value.startsWith("a") ? "output-a" : "output-b";
        }

        @Override
        public String toString() {
            return "ValuePrefixTopicExtractor";
        }
    }

    /**
     * process-punctuate: counts records; forwards each record with value = running count; every 1000 ms of
     * stream time forwards ("tick", count) stamped with the punctuation timestamp.
     */
    static final class CountingProcessor implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private long count = 0;

        @Override
        public void init(final ProcessorContext<String, Long> context) {
            this.context = context;
            context.schedule(Duration.ofMillis(1000), PunctuationType.STREAM_TIME,
                timestamp -> context.forward(new Record<>("tick", count, timestamp)));
        }

        @Override
        public void process(final Record<String, String> record) {
            count++;
            context.forward(record.withValue(count));
        }
    }

    /** process-values: value + "!" (null stays null) and a header seen=yes. */
    static final class BangProcessor implements FixedKeyProcessor<String, String, String> {
        private FixedKeyProcessorContext<String, String> context;

        @Override
        public void init(final FixedKeyProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(final FixedKeyRecord<String, String> record) {
            final FixedKeyRecord<String, String> out = record.withValue(record.value() == null ? null : record.value() + "!");
            out.headers().add("seen", "yes".getBytes(StandardCharsets.UTF_8));
            context.forward(out);
        }
    }

    /**
     * processor-api "Upper": upper-cases the value; forwards every record to child "SinkA" by name, and only
     * records with a non-null value to child "Len" by name.
     */
    static final class UpperProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(final Record<String, String> record) {
            final Record<String, String> out = record.withValue(upper(record.value()));
            context.forward(out, "SinkA");
            if (out.value() != null) {
                context.forward(out, "Len");
            }
        }
    }

    /** processor-api "Len": forwards the value's length as a Long to its only child (SinkB). */
    static final class LengthProcessor implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;

        @Override
        public void init(final ProcessorContext<String, Long> context) {
            this.context = context;
        }

        @Override
        public void process(final Record<String, String> record) {
            context.forward(record.withValue((long) record.value().length()));
        }
    }

    /**
     * wall-clock-punctuate: passes records through unchanged; every 1000 ms of wall-clock time forwards
     * ("wall", String.valueOf(timestamp)) stamped with the punctuation timestamp.
     */
    static final class WallClockProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
            context.schedule(Duration.ofMillis(1000), PunctuationType.WALL_CLOCK_TIME,
                timestamp -> context.forward(new Record<>("wall", String.valueOf(timestamp), timestamp)));
        }

        @Override
        public void process(final Record<String, String> record) {
            context.forward(record);
        }
    }

    /** headers-timestamps: timestamp + 10 and a header shifted=10 added to the (copied) headers. */
    static final class ShiftProcessor implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(final ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(final Record<String, String> record) {
            final Record<String, String> out = record.withTimestamp(record.timestamp() + 10);
            out.headers().add("shifted", "10".getBytes(StandardCharsets.UTF_8));
            context.forward(out);
        }
    }
}
