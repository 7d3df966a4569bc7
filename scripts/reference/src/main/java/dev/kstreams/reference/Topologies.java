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
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

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
