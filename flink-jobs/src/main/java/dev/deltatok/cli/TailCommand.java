package dev.deltatok.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.kafka.Secrets;
import dev.deltatok.kafka.Topics;
import dev.deltatok.llm.LlmRecord;
import dev.deltatok.llm.LlmVocabulary;
import dev.deltatok.llm.LlmWindower;
import dev.deltatok.mirror.TokenMirror;
import dev.deltatok.schema.TokenDelta;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltatok tail}: reads token deltas (read_committed) into mirrors and prints them. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Reads token deltas from Kafka (read_committed: only what the job committed), applies"
                    + " them to per-camera TokenMirrors and prints them:",
            "  stats  per-camera rates, tokens per frame and latency, once a second (stderr);",
            "  jsonl  each delta as one JSON line, key map decoded;",
            "  llm    one JSON line per camera window of --window frames: the token-id sequence"
                    + " with special tokens, the Token-Dynamics pair (table, key map) and the"
                    + " window's summary token (see docs/llm-format.md).",
            "Without --from-beginning it starts at the end of the topic; a camera's records start"
                    + " at its next keyframe."
        })
final class TailCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format {
        STATS,
        JSONL,
        LLM
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, host:port.")
    String bootstrapServers;

    @Mixin KafkaSecurityOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "deltatok.deltas",
            description = "Deltas topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--camera",
            paramLabel = "ID",
            description = "Only this camera (others are read and skipped).")
    String camera;

    @Option(
            names = "--format",
            defaultValue = "stats",
            description = "stats, jsonl or llm (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(
            names = "--max-records",
            defaultValue = "0",
            paramLabel = "N",
            description = "Stop after N printed records (deltas; llm: windows); 0 = until Ctrl-C.")
    long maxRecords;

    @Option(
            names = "--from-beginning",
            description = "Read the topic from its earliest offsets instead of its end.")
    boolean fromBeginning;

    @Option(
            names = "--window",
            defaultValue = "25",
            paramLabel = "FRAMES",
            description = "llm: frames per camera window (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(
            names = "--codebook-size",
            defaultValue = "4096",
            paramLabel = "K",
            description =
                    "llm: codes per level of the model the job runs (default: ${DEFAULT-VALUE},"
                            + " the default model's).")
    int codebookSize;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop when nothing arrived for this long, e.g. 10s or 500ms (default: never).")
    Duration idleTimeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (window < 1 || codebookSize < 1 || maxRecords < 0) {
            err.println(
                    "deltatok tail: --window and --codebook-size must be >= 1, --max-records >= 0");
            return 2;
        }
        KafkaConnection connection;
        try {
            connection = kafka.connection(bootstrapServers);
        } catch (IllegalArgumentException e) {
            err.println("deltatok tail: " + e.getMessage());
            return 2;
        }
        try {
            Topics.ensure(connection, List.of(topic), Topics.DEFAULT_PARTITIONS, false);
        } catch (IllegalStateException e) {
            err.println(
                    "deltatok tail: "
                            + e.getMessage()
                                    .replace(
                                            "or pass --create-topics",
                                            "or start the job with --create-topics"));
            return 3;
        }
        ObjectMapper json = new ObjectMapper();
        DeltaFollower follower =
                new DeltaFollower(
                        w -> {
                            err.println("deltatok tail: " + w);
                            err.flush();
                        });
        LlmWindower windower = new LlmWindower(window, codebookSize);
        Map<String, LlmVocabulary> vocabularies = new HashMap<>();
        Clock clock = Clock.systemUTC();
        long[] printed = {0};
        try (DeltaReader reader = new DeltaReader(connection, topic, fromBeginning, "tail")) {
            err.printf(
                    "deltatok tail: reading %s from %s (%s)%s; Ctrl-C stops%n",
                    topic,
                    fromBeginning ? "the beginning" : "the end",
                    format.name().toLowerCase(Locale.ROOT),
                    camera == null ? "" : ", camera " + camera);
            err.flush();
            StatsPrinter stats = new StatsPrinter(err, follower);
            long[] lastRecord = {System.nanoTime()};
            try {
                reader.read(
                        records -> {
                            if (!records.isEmpty()) {
                                lastRecord[0] = System.nanoTime();
                            } else if (idleTimeout != null
                                    && System.nanoTime() - lastRecord[0] > idleTimeout.toNanos()) {
                                return false;
                            }
                            for (ConsumerRecord<String, TokenDelta> r : records) {
                                TokenDelta delta = r.value();
                                if (camera != null && !camera.equals(delta.getCameraId())) {
                                    continue;
                                }
                                TokenMirror.Camera held = follower.accept(delta, clock.instant());
                                switch (format) {
                                    case STATS -> printed[0]++;
                                    case JSONL -> {
                                        out.println(
                                                json.writeValueAsString(
                                                        DeltaJson.toJsonTree(delta)));
                                        printed[0]++;
                                    }
                                    case LLM -> {
                                        if (held == null) {
                                            windower.reset(delta.getCameraId());
                                            continue;
                                        }
                                        Optional<LlmRecord> record = windower.add(delta, held);
                                        if (record.isPresent()) {
                                            LlmVocabulary v =
                                                    vocabularies.computeIfAbsent(
                                                            held.cameraId(),
                                                            c -> windower.vocabulary(held));
                                            out.println(
                                                    json.writeValueAsString(
                                                            record.get().toJsonTree(v)));
                                            printed[0]++;
                                        }
                                    }
                                }
                                if (maxRecords > 0 && printed[0] >= maxRecords) {
                                    return false;
                                }
                            }
                            out.flush();
                            if (format == Format.STATS) {
                                stats.maybePrint(false);
                            }
                            return maxRecords == 0 || printed[0] < maxRecords;
                        });
            } finally {
                out.flush();
                if (format == Format.STATS) {
                    stats.maybePrint(true);
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            err.println(
                    "deltatok tail: Kafka failed: "
                            + Secrets.redact(e.getMessage())
                            + "; is the broker at "
                            + connection.describe()
                            + " still running? ("
                            + connection.credentialsHint()
                            + ")");
            return 1;
        }
        return 0;
    }

    /** Per-camera lines once a second. */
    private static final class StatsPrinter {
        private final PrintWriter err;
        private final DeltaFollower follower;
        private final Map<String, Long> lastDeltas = new HashMap<>();
        private long last = System.nanoTime();

        StatsPrinter(PrintWriter err, DeltaFollower follower) {
            this.err = err;
            this.follower = follower;
        }

        void maybePrint(boolean force) {
            long now = System.nanoTime();
            if (!force && now - last < 1_000_000_000L) {
                return;
            }
            double seconds = Math.max(1e-9, (now - last) / 1e9);
            last = now;
            double[] lat = follower.latencies().interval();
            err.printf(
                    Locale.ROOT,
                    "%-16s %8s %9s %9s %8s %5s %5s %6s %7s %6s %10s%n",
                    "camera",
                    "deltas",
                    "deltas/s",
                    "tok/frame",
                    "of grid",
                    "key",
                    "gaps",
                    "table",
                    "skipped",
                    "budget",
                    "lat p50/99");
            for (DeltaFollower.CameraStats c : follower.cameras().values()) {
                long before = lastDeltas.getOrDefault(c.cameraId, 0L);
                lastDeltas.put(c.cameraId, c.deltas);
                err.printf(
                        Locale.ROOT,
                        "%-16s %8d %9.1f %9.1f %7.2f%% %5d %5d %6d %7d %5.0f%%%n",
                        c.cameraId,
                        c.deltas,
                        (c.deltas - before) / seconds,
                        c.tokensPerFrame(),
                        100 * c.gridFraction(),
                        c.keyframes,
                        c.gaps,
                        c.tableSize,
                        c.skipped,
                        100 * c.budgetScale);
            }
            err.printf(
                    Locale.ROOT,
                    "%-16s %8d %73s%n",
                    "all",
                    follower.deltas(),
                    Double.isNaN(lat[0])
                            ? "-"
                            : String.format(Locale.ROOT, "%.0f/%.0f ms", lat[0], lat[1]));
            err.flush();
        }
    }
}
