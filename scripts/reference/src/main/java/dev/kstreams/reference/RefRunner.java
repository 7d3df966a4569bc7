package dev.kstreams.reference;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The reference runner. {@code golden DIR...}: for each scenario directory, builds the topology named by the
 * directory's base name (see {@link Topologies}), writes describe.txt and runs scenario.json through
 * TopologyTestDriver into output.jsonl. Format: scripts/reference/README.md.
 */
public final class RefRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    private RefRunner() {}

    public static void main(final String[] args) throws Exception {
        if (args.length < 1 || !args[0].equals("golden")) {
            System.err.println("usage: RefRunner golden <scenarioDir>...");
            System.exit(2);
        }
        // Topologies may print (Printed.toSysOut()); nothing of the run belongs on stdout.
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        int failed = 0;
        for (int i = 1; i < args.length; i++) {
            final Path dir = Paths.get(args[i]).toAbsolutePath().normalize();
            try {
                runScenario(dir);
                System.err.println("golden: " + dir.getFileName());
            } catch (final Exception | Error e) {
                failed++;
                System.err.println("golden: " + dir.getFileName() + " FAILED");
                e.printStackTrace(System.err);
            }
        }
        System.setOut(stdout);
        if (failed > 0) {
            System.err.println(failed + " scenario(s) failed");
            System.exit(1);
        }
    }

    static void runScenario(final Path dir) throws IOException {
        final String name = dir.getFileName().toString();
        final JsonNode scenario = JSON.readTree(dir.resolve("scenario.json").toFile());

        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "golden");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        final JsonNode config = scenario.path("config");
        for (final Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            props.put(e.getKey(), e.getValue().asText());
        }

        final Topology topology = Topologies.build(name, props);
        Files.writeString(dir.resolve("describe.txt"), topology.describe().toString(), StandardCharsets.UTF_8);

        final Map<String, TestInputTopic<Object, Object>> inputs = new LinkedHashMap<>();
        final Map<String, TestOutputTopic<Object, Object>> outputs = new LinkedHashMap<>();
        final Map<String, String[]> outputSerdes = new LinkedHashMap<>();
        final List<String> lines = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(0))) {
            for (final Iterator<Map.Entry<String, JsonNode>> it = scenario.path("inputTopics").fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                final Serde<Object> ks = serde(e.getValue().path("keySerde").asText("string"));
                final Serde<Object> vs = serde(e.getValue().path("valueSerde").asText("string"));
                inputs.put(e.getKey(), driver.createInputTopic(e.getKey(), ks.serializer(), vs.serializer(),
                    Instant.ofEpochMilli(0), Duration.ZERO));
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = scenario.path("outputTopics").fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                final String kn = e.getValue().path("keySerde").asText("string");
                final String vn = e.getValue().path("valueSerde").asText("string");
                outputSerdes.put(e.getKey(), new String[] {kn, vn});
                outputs.put(e.getKey(), driver.createOutputTopic(e.getKey(), serde(kn).deserializer(),
                    serde(vn).deserializer()));
            }

            int index = 0;
            for (final JsonNode step : scenario.path("steps")) {
                if (step.has("advanceWallClockMs")) {
                    driver.advanceWallClockTime(Duration.ofMillis(step.get("advanceWallClockMs").asLong()));
                } else if (step.has("topic")) {
                    final String topic = step.get("topic").asText();
                    final TestInputTopic<Object, Object> input = inputs.get(topic);
                    if (input == null) {
                        throw new IllegalArgumentException("step " + index + ": topic '" + topic + "' is not in inputTopics");
                    }
                    if (!step.hasNonNull("timestamp")) {
                        throw new IllegalArgumentException("step " + index + ": timestamp is required");
                    }
                    final JsonNode spec = scenario.path("inputTopics").get(topic);
                    final Object key = fromJson(step.get("key"), spec.path("keySerde").asText("string"));
                    final Object value = fromJson(step.get("value"), spec.path("valueSerde").asText("string"));
                    final Headers headers = new RecordHeaders();
                    for (final JsonNode h : step.path("headers")) {
                        final JsonNode hv = h.get(1);
                        headers.add(h.get(0).asText(),
                            hv == null || hv.isNull() ? null : hv.asText().getBytes(StandardCharsets.UTF_8));
                    }
                    input.pipeInput(new TestRecord<>(key, value, headers, step.get("timestamp").asLong()));
                } else {
                    throw new IllegalArgumentException("step " + index + ": neither a record nor advanceWallClockMs");
                }
                index++;
            }

            for (final Map.Entry<String, TestOutputTopic<Object, Object>> e : outputs.entrySet()) {
                final String[] sn = outputSerdes.get(e.getKey());
                for (final TestRecord<Object, Object> r : e.getValue().readRecordsToList()) {
                    final ObjectNode line = NODES.objectNode();
                    line.put("topic", e.getKey());
                    line.set("key", toJson(r.key(), sn[0]));
                    line.set("value", toJson(r.value(), sn[1]));
                    line.put("timestamp", r.timestamp());
                    final ArrayNode hs = line.putArray("headers");
                    for (final Header h : r.headers()) {
                        final ArrayNode pair = hs.addArray();
                        pair.add(h.key());
                        if (h.value() == null) {
                            pair.addNull();
                        } else {
                            pair.add(new String(h.value(), StandardCharsets.UTF_8));
                        }
                    }
                    lines.add(JSON.writeValueAsString(line));
                }
            }
        }
        try (Writer w = Files.newBufferedWriter(dir.resolve("output.jsonl"), StandardCharsets.UTF_8)) {
            for (final String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Serde<Object> serde(final String name) {
        final Serde<?> s;
        switch (name) {
            case "string": s = Serdes.String(); break;
            case "long": s = Serdes.Long(); break;
            case "integer": s = Serdes.Integer(); break;
            case "double": s = Serdes.Double(); break;
            case "bytes": s = Serdes.ByteArray(); break;
            default: throw new IllegalArgumentException("unknown serde '" + name + "'");
        }
        return (Serde<Object>) s;
    }

    static Object fromJson(final JsonNode node, final String serde) {
        if (node == null || node.isNull()) {
            return null;
        }
        switch (serde) {
            case "string": return node.asText();
            case "long": return node.asLong();
            case "integer": return node.asInt();
            case "double": return node.asDouble();
            case "bytes": return HEX.parseHex(node.asText());
            default: throw new IllegalArgumentException("unknown serde '" + serde + "'");
        }
    }

    static JsonNode toJson(final Object o, final String serde) {
        if (o == null) {
            return NODES.nullNode();
        }
        switch (serde) {
            case "string": return NODES.textNode((String) o);
            case "long": return NODES.numberNode((Long) o);
            case "integer": return NODES.numberNode((Integer) o);
            case "double": return NODES.numberNode((Double) o);
            case "bytes": return NODES.textNode(HEX.formatHex((byte[]) o));
            default: throw new IllegalArgumentException("unknown serde '" + serde + "'");
        }
    }
}
