package dev.deltatok.job;

import static dev.deltatok.job.TokenizerOptions.*;

import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameLimits;
import dev.deltatok.job.TokenizerOptions.OverloadPolicyMode;
import dev.deltatok.kafka.KafkaConnection;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.overload.OverloadSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;

/**
 * The job's configuration, read once from raw {@code --key value} arguments or a Flink {@link
 * Configuration} and validated; the rest of the code reads typed fields.
 */
public record TokenizerConfig(
        String bootstrapServers,
        String framesTopic,
        String deltasTopic,
        String rejectedTopic,
        String groupId,
        TokenizerOptions.StartingOffsets startingOffsets,
        boolean bounded,
        TokenizerOptions.Delivery delivery,
        String transactionalIdPrefix,
        String modelManifest,
        int modelThreads,
        OnnxTokenizerModel.ExecutionProvider modelProvider,
        TokenizerSettings settings,
        OverloadSettings overload,
        int batchMaxFrames,
        Duration batchMaxDelay,
        Duration bufferTimeout,
        Duration cameraTtl,
        TokenizerOptions.StateBackend stateBackend,
        Duration checkpointInterval,
        boolean checkpointUnaligned,
        String checkpointDir,
        Integer parallelism,
        int maxRejectedBytes,
        String kafkaPropertiesFile)
        implements Serializable {

    public TokenizerConfig {
        require(!bootstrapServers.isBlank(), BOOTSTRAP_SERVERS, bootstrapServers, "host:port");
        require(batchMaxFrames >= 1, BATCH_MAX_FRAMES, batchMaxFrames, "an integer >= 1");
        require(!batchMaxDelay.isNegative(), BATCH_MAX_DELAY, batchMaxDelay, "a duration >= 0");
        require(!bufferTimeout.isNegative(), BUFFER_TIMEOUT, bufferTimeout, "a duration >= 0");
        require(!cameraTtl.isNegative(), CAMERA_TTL, cameraTtl, "a duration >= 0 (0 = forever)");
        require(
                checkpointInterval.toMillis() >= 10,
                CHECKPOINT_INTERVAL,
                checkpointInterval,
                "a duration >= 10 ms");
        require(
                parallelism == null || parallelism >= 1,
                PARALLELISM,
                parallelism,
                "an integer >= 1");
        require(modelThreads >= 1, MODEL_THREADS, modelThreads, "an integer >= 1");
        require(maxRejectedBytes >= 0, REJECTED_MAX_BYTES, maxRejectedBytes, "a size >= 0");
    }

    /** Reads and validates every option; unset options take their defaults. */
    public static TokenizerConfig fromConfiguration(Configuration conf) {
        TokenizerSettings settings;
        OverloadSettings overload;
        try {
            overload =
                    new OverloadSettings(
                            conf.get(OVERLOAD_POLICY) == OverloadPolicyMode.DEGRADE,
                            conf.get(LATENCY_TARGET),
                            conf.get(MIN_BUDGET_SCALE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid overload setting: " + e.getMessage(), e);
        }
        try {
            settings =
                    TokenizerSettings.builder()
                            .mode(conf.get(MODE))
                            .changeThreshold(conf.get(CHANGE_THRESHOLD))
                            .noiseFloor(conf.get(NOISE_FLOOR))
                            .noiseMultiplier(conf.get(NOISE_MULTIPLIER))
                            .maxChangeThreshold(conf.get(MAX_CHANGE_THRESHOLD))
                            .maxLevels(conf.get(MAX_LEVELS))
                            .motionSearch(conf.get(MOTION_SEARCH))
                            .referenceBlock(conf.get(REFERENCE_BLOCK))
                            .latentThreshold(conf.get(LATENT_THRESHOLD))
                            .tableCapacity(conf.get(TABLE_CAPACITY))
                            .mergeDistance(conf.get(MERGE_DISTANCE))
                            .sceneCutFraction(conf.get(SCENE_CUT_FRACTION))
                            .maxKeyframeInterval(conf.get(MAX_KEYFRAME_INTERVAL))
                            .errorBudget(conf.get(ERROR_BUDGET))
                            .errorBudgetRatio(conf.get(ERROR_BUDGET_RATIO))
                            .keyframeErrorBound(conf.get(KEYFRAME_ERROR_BOUND))
                            .maxTokensPerFrame(conf.get(MAX_TOKENS_PER_FRAME))
                            .includeLatents(conf.get(INCLUDE_LATENTS))
                            .frameLimits(
                                    new FrameLimits(
                                            conf.get(MAX_WIDTH),
                                            conf.get(MAX_HEIGHT),
                                            conf.get(MAX_PIXELS),
                                            (int)
                                                    Math.min(
                                                            Integer.MAX_VALUE,
                                                            conf.get(MAX_PAYLOAD).getBytes())))
                            .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid tokenizer setting: " + e.getMessage(), e);
        }
        return new TokenizerConfig(
                conf.get(BOOTSTRAP_SERVERS),
                conf.get(FRAMES_TOPIC),
                conf.get(DELTAS_TOPIC),
                conf.get(REJECTED_TOPIC),
                conf.get(GROUP_ID),
                conf.get(STARTING_OFFSETS),
                conf.get(BOUNDED),
                conf.get(DELIVERY),
                conf.get(TRANSACTIONAL_ID_PREFIX),
                conf.getOptional(MODEL).orElse(null),
                conf.get(MODEL_THREADS),
                conf.get(MODEL_PROVIDER),
                settings,
                overload,
                conf.get(BATCH_MAX_FRAMES),
                conf.get(BATCH_MAX_DELAY),
                conf.get(BUFFER_TIMEOUT),
                conf.get(CAMERA_TTL),
                conf.get(STATE_BACKEND),
                conf.get(CHECKPOINT_INTERVAL),
                conf.get(CHECKPOINT_UNALIGNED),
                conf.getOptional(CHECKPOINT_DIR).orElse(null),
                conf.getOptional(PARALLELISM).orElse(null),
                (int) Math.min(Integer.MAX_VALUE, conf.get(REJECTED_MAX_BYTES).getBytes()),
                conf.getOptional(KAFKA_PROPERTIES_FILE).orElse(null));
    }

    /**
     * Parses {@code --key value} pairs into a configuration. Unknown keys are refused with the list
     * of known ones, so a typo never silently falls back to a default.
     */
    public static Configuration parseArgs(String... args) {
        Map<String, ConfigOption<?>> known = new TreeMap<>();
        for (ConfigOption<?> option : TokenizerOptions.all()) {
            known.put(option.key(), option);
        }
        Map<String, String> raw = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException(
                        "expected --key value, got '" + arg + "' at position " + i);
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq > 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            if (!known.containsKey(key)) {
                throw new IllegalArgumentException(
                        "unknown option --"
                                + key
                                + "; known options: "
                                + String.join(", ", known.keySet()));
            }
            raw.put(key, value);
        }
        Configuration conf = Configuration.fromMap(raw);
        // Read every given option once so that a malformed value fails here, naming its key.
        for (String key : raw.keySet()) {
            try {
                conf.get(known.get(key));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "bad value '" + raw.get(key) + "' for --" + key + ": " + e.getMessage(), e);
            }
        }
        return conf;
    }

    /**
     * The Kafka client settings of {@code --kafka.properties-file}, empty when it is unset. Read
     * where the job is built (the JobManager in application mode), not in the constructor: a
     * deserialized config must not need the file. Errors name the option and the path, never the
     * file's contents, which usually hold credentials.
     */
    public Properties kafkaClientProperties() {
        if (kafkaPropertiesFile == null || kafkaPropertiesFile.isBlank()) {
            return new Properties();
        }
        return KafkaConnection.load(kafkaPropertiesFile);
    }

    /**
     * The job's cluster: bootstrap servers and {@code --kafka.properties-file}, for the clients the
     * job's tools make (topic checks, readers). Reads the file, like {@link
     * #kafkaClientProperties()}.
     */
    public KafkaConnection kafkaConnection() {
        return KafkaConnection.of(bootstrapServers, kafkaPropertiesFile);
    }

    /**
     * The Flink settings the job runs with: checkpoints (retained on cancellation and failure when
     * {@code checkpoint.dir} is set), network buffer timeout, state backend, no Kryo fallback.
     */
    public Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
        // At-least-once delivery needs no barrier alignment: unaligned barriers never hold a
        // camera's frames back behind another channel's, which keeps tail latency down.
        conf.setString(
                "execution.checkpointing.mode",
                delivery == TokenizerOptions.Delivery.EXACTLY_ONCE
                        ? "EXACTLY_ONCE"
                        : "AT_LEAST_ONCE");
        if (delivery == TokenizerOptions.Delivery.EXACTLY_ONCE && checkpointUnaligned) {
            // Barriers overtake the frames in flight, so a checkpoint (and the commit that makes
            // its deltas visible) does not wait for a busy channel to drain.
            conf.setString("execution.checkpointing.unaligned.enabled", "true");
        }
        // A frame's last, partly filled network buffer would otherwise wait for the next record on
        // its channel or for Flink's 100 ms flush.
        conf.setString("execution.buffer-timeout.interval", bufferTimeout.toMillis() + " ms");
        conf.setString(
                "state.backend.type",
                stateBackend == TokenizerOptions.StateBackend.ROCKSDB ? "rocksdb" : "hashmap");
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
            // A cancelled, failed or killed job keeps its latest checkpoint: the next start
            // (deltatok run, or flink run -s) resumes from it instead of from nothing.
            conf.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            conf.set(
                    CheckpointingOptions.SAVEPOINT_DIRECTORY,
                    RestorePoint.savepointsFolder(checkpointDir));
        }
        conf.setString("pipeline.generic-types", "false");
        if (parallelism != null) {
            conf.setString("parallelism.default", Integer.toString(parallelism));
        }
        return conf;
    }

    private static void require(boolean ok, ConfigOption<?> option, Object value, String accepted) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "invalid --" + option.key() + " '" + value + "': expected " + accepted);
        }
    }

    /** The option keys, for messages. */
    static List<String> keys() {
        List<String> keys = new ArrayList<>();
        TokenizerOptions.all().forEach(o -> keys.add(o.key()));
        return keys;
    }
}
