package dev.deltatok.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.deltatok.delta.NoiseFloorMode;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameLimits;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.overload.OverloadSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the tokenizer job, declared once with its default and description. Set them as
 * {@code --key value} arguments to {@code deltatok run} or {@code flink run}, or in the Flink
 * configuration. README's option table is generated from this class ({@code
 * OptionsDocumentationTest} keeps it in sync).
 */
public final class TokenizerOptions {
    private TokenizerOptions() {}

    // Kafka

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka bootstrap servers, host:port[,host:port...].");

    public static final ConfigOption<String> FRAMES_TOPIC =
            key("kafka.frames-topic")
                    .stringType()
                    .defaultValue("deltatok.frames")
                    .withDescription("Topic the job reads Frame records from.");

    public static final ConfigOption<String> DELTAS_TOPIC =
            key("kafka.deltas-topic")
                    .stringType()
                    .defaultValue("deltatok.deltas")
                    .withDescription("Topic the job writes TokenDelta records to.");

    public static final ConfigOption<String> REJECTED_TOPIC =
            key("kafka.rejected-topic")
                    .stringType()
                    .defaultValue("deltatok.rejected")
                    .withDescription("Topic the job writes RejectedFrame records to.");

    public static final ConfigOption<String> GROUP_ID =
            key("kafka.group-id")
                    .stringType()
                    .defaultValue("deltatok-tokenizer")
                    .withDescription("Consumer group id of the frames source.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where a job without a checkpoint starts reading: the group's committed offsets (falling back to the earliest), the earliest or the latest.");

    public static final ConfigOption<Boolean> BOUNDED =
            key("kafka.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the offsets that were latest when the job started (for batch runs and tests).");

    public static final ConfigOption<Delivery> DELIVERY =
            key("kafka.delivery")
                    .enumType(Delivery.class)
                    .defaultValue(Delivery.EXACTLY_ONCE)
                    .withDescription(
                            "Delivery guarantee of the delta and rejected sinks; exactly-once makes deltas visible to read_committed consumers at each checkpoint.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("deltatok-tokenizer")
                    .withDescription(
                            "Prefix of the Kafka transactional ids of the exactly-once sinks; unique per job on a cluster.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE =
            key("kafka.properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Java properties file of Kafka client settings (security.protocol, sasl.*, ssl.*) applied to the job's source, sinks and topic check; the job's own settings (bootstrap servers, producer timeouts and sizes) win over the same keys in it. Only the path is in the job's configuration.");

    // Model

    public static final ConfigOption<String> MODEL =
            key("model.manifest")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Path of a model manifest.json; unset means the one $DELTATOK_MODEL names (the container image sets it), else models/default/ under the working directory, else the default model shipped in the jar.");

    public static final ConfigOption<Integer> MODEL_THREADS =
            key("model.intra-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription("ONNX Runtime intra-op threads per model session.");

    public static final ConfigOption<OnnxTokenizerModel.ExecutionProvider> MODEL_PROVIDER =
            key("model.execution-provider")
                    .enumType(OnnxTokenizerModel.ExecutionProvider.class)
                    .defaultValue(OnnxTokenizerModel.ExecutionProvider.CPU)
                    .withDescription(
                            "Where ONNX Runtime runs the model: CPU, or CUDA (GPU 0; needs the GPU image, see deploy/README.md). A provider the runtime lacks stops the job at start-up with the reason.");

    // Tokenizer (see TokenizerSettings for the algorithm each one steers)

    public static final ConfigOption<TokenizerMode> MODE =
            key("tokenizer.mode")
                    .enumType(TokenizerMode.class)
                    .defaultValue(TokenizerMode.DELTA)
                    .withDescription(
                            "DELTA sends what changed; FULL encodes and sends every patch of every frame (the baseline).");

    public static final ConfigOption<Double> CHANGE_THRESHOLD =
            key("tokenizer.change-threshold")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_CHANGE_THRESHOLD)
                    .withDescription(
                            "A patch changed when its mean absolute difference to the reference exceeds the camera's change threshold, in 8-bit levels: this value with a FIXED noise floor, the lowest threshold an ADAPTIVE one may use.");

    public static final ConfigOption<NoiseFloorMode> NOISE_FLOOR =
            key("tokenizer.noise-floor")
                    .enumType(NoiseFloorMode.class)
                    .defaultValue(TokenizerSettings.DEFAULT_NOISE_FLOOR)
                    .withDescription(
                            "ADAPTIVE: each camera's change threshold is tokenizer.noise-multiplier times its own noise level, learnt online from its frames and kept in state, between tokenizer.change-threshold and tokenizer.max-change-threshold; FIXED: tokenizer.change-threshold for every camera.");

    public static final ConfigOption<Double> NOISE_MULTIPLIER =
            key("tokenizer.noise-multiplier")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_NOISE_MULTIPLIER)
                    .withDescription(
                            "An adaptive change threshold is this many times the camera's noise level (lower quartile over patches of the mean absolute block-mean difference between consecutive frames).");

    public static final ConfigOption<Double> MAX_CHANGE_THRESHOLD =
            key("tokenizer.max-change-threshold")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_MAX_CHANGE_THRESHOLD)
                    .withDescription(
                            "Highest change threshold an adaptive noise floor may reach, in 8-bit levels; bounds the drift a noisy camera can hide.");

    public static final ConfigOption<Integer> REFERENCE_BLOCK =
            key("tokenizer.reference-block")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_REFERENCE_BLOCK)
                    .withDescription(
                            "Side in pixels of the blocks whose means form the stored reference; divides the patch size.");

    public static final ConfigOption<Double> LATENT_THRESHOLD =
            key("tokenizer.latent-threshold")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_LATENT_THRESHOLD)
                    .withDescription(
                            "A changed patch whose latent moved less than this relative L2 distance is not sent.");

    public static final ConfigOption<Integer> TABLE_CAPACITY =
            key("tokenizer.table-capacity")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_TABLE_CAPACITY)
                    .withDescription(
                            "Slots of each camera's token hash table; at least the patches per frame.");

    public static final ConfigOption<Double> MERGE_DISTANCE =
            key("tokenizer.merge-distance")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_MERGE_DISTANCE)
                    .withDescription(
                            "A changed patch may keep what it holds or reuse the live slot whose latent is nearest within this relative L2 distance, when that slot decoded against the patch stays within the error budget; 0 shares slots only between identical tokens.");

    public static final ConfigOption<Double> SCENE_CUT_FRACTION =
            key("tokenizer.scene-cut-fraction")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_SCENE_CUT_FRACTION)
                    .withDescription("A keyframe when at least this fraction of patches changed.");

    public static final ConfigOption<Integer> MAX_KEYFRAME_INTERVAL =
            key("tokenizer.max-keyframe-interval")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_MAX_KEYFRAME_INTERVAL)
                    .withDescription(
                            "A keyframe at the latest after this many frames; after a keyframe other than a periodic one, the next periodic one comes up to half this earlier, by a phase fixed per camera, so that cameras do not keyframe in step.");

    public static final ConfigOption<Double> ERROR_BUDGET =
            key("tokenizer.error-budget")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_ERROR_BUDGET)
                    .withDescription(
                            "Per patch, the mean squared error (pixels in [0,1]) the consumer's picture may exceed the full tokenisation by.");

    public static final ConfigOption<Double> ERROR_BUDGET_RATIO =
            key("tokenizer.error-budget-ratio")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_ERROR_BUDGET_RATIO)
                    .withDescription(
                            "Added to the error budget per patch: this fraction of the patch's own full-tokenisation error, so quality lost stays a bounded fraction of the picture's error.");

    public static final ConfigOption<Double> KEYFRAME_ERROR_BOUND =
            key("tokenizer.keyframe-error-bound")
                    .doubleType()
                    .defaultValue(TokenizerSettings.DEFAULT_KEYFRAME_ERROR_BOUND)
                    .withDescription(
                            "A keyframe when the estimated error left after the token cap still exceeds this.");

    public static final ConfigOption<Integer> MAX_LEVELS =
            key("tokenizer.max-levels")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_MAX_LEVELS)
                    .withDescription(
                            "Most residual levels sent per patch, in both modes; 0 sends up to every level the model has.");

    public static final ConfigOption<Integer> MOTION_SEARCH =
            key("tokenizer.motion-search")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_MOTION_SEARCH)
                    .withDescription(
                            "Global motion: how many pixels per axis and frame (at model resolution) a picture that moved as a whole may have moved and still be sent as a shift of what the consumer holds plus the patches it uncovered or that changed beyond it; 0 turns global motion off.");

    public static final ConfigOption<Integer> MAX_TOKENS_PER_FRAME =
            key("tokenizer.max-tokens-per-frame")
                    .intType()
                    .defaultValue(TokenizerSettings.DEFAULT_MAX_TOKENS_PER_FRAME)
                    .withDescription(
                            "Token cap of one delta (upsert ids plus key-map updates); the rest is carried to later frames.");

    public static final ConfigOption<Boolean> INCLUDE_LATENTS =
            key("tokenizer.include-latents")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether table upserts carry each slot's latent, for consumers that take embeddings.");

    // Overload: degrade before falling behind

    public static final ConfigOption<Duration> LATENCY_TARGET =
            key("tokenizer.latency-target")
                    .durationType()
                    .defaultValue(OverloadSettings.DEFAULT_LATENCY_TARGET)
                    .withDescription(
                            "Frame age (processing time minus capture time) the tokenizer keeps to: past half of it the token budget shrinks, then each camera's waiting frames are coalesced to the newest, and frames older than half of it are shed where they enter the job but one per camera and target.");

    public static final ConfigOption<OverloadPolicyMode> OVERLOAD_POLICY =
            key("tokenizer.overload-policy")
                    .enumType(OverloadPolicyMode.class)
                    .defaultValue(OverloadPolicyMode.DEGRADE)
                    .withDescription(
                            "DEGRADE: shrink the budget, coalesce, and shed frames past the latency target; OFF: tokenize every frame at full budget however late.");

    public static final ConfigOption<Double> MIN_BUDGET_SCALE =
            key("tokenizer.min-budget-scale")
                    .doubleType()
                    .defaultValue(OverloadSettings.DEFAULT_MIN_BUDGET_SCALE)
                    .withDescription(
                            "Lowest fraction of the full token budget overload may shrink it to, (0, 1]; the declared error bound grows by its inverse at most.");

    // Frame limits: anything above is rejected before its pixels are decoded

    public static final ConfigOption<Integer> MAX_WIDTH =
            key("limits.max-width")
                    .intType()
                    .defaultValue(FrameLimits.DEFAULT_MAX_SIDE)
                    .withDescription("Largest accepted frame width in pixels.");

    public static final ConfigOption<Integer> MAX_HEIGHT =
            key("limits.max-height")
                    .intType()
                    .defaultValue(FrameLimits.DEFAULT_MAX_SIDE)
                    .withDescription("Largest accepted frame height in pixels.");

    public static final ConfigOption<Long> MAX_PIXELS =
            key("limits.max-pixels")
                    .longType()
                    .defaultValue(FrameLimits.DEFAULT_MAX_PIXELS)
                    .withDescription(
                            "Largest accepted width x height (JPEG and PNG: as their header declares).");

    public static final ConfigOption<MemorySize> MAX_PAYLOAD =
            key("limits.max-payload")
                    .memoryType()
                    .defaultValue(new MemorySize(FrameLimits.DEFAULT_MAX_PAYLOAD_BYTES))
                    .withDescription("Largest accepted Frame.data size.");

    // Micro-batching, state, checkpoints

    public static final ConfigOption<Integer> BATCH_MAX_FRAMES =
            key("batch.max-frames")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Frames of different cameras whose changed patches share one encoder call.");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY =
            key("batch.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription("Longest a frame waits for its encoder batch to fill.");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT =
            key("network.buffer-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription(
                            "Longest a record waits in a partly filled network buffer between operators (Flink's execution.buffer-timeout.interval, 100 ms by default there); 0 flushes after every record.");

    public static final ConfigOption<Duration> CAMERA_TTL =
            key("state.camera-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A camera silent this long has its state cleared; its next frame starts a new stream with a keyframe. 0 keeps state forever.");

    public static final ConfigOption<StateBackend> STATE_BACKEND =
            key("state.backend")
                    .enumType(StateBackend.class)
                    .defaultValue(StateBackend.HASHMAP)
                    .withDescription(
                            "Keyed state backend: HASHMAP (on the heap) or ROCKSDB (on local disk, for many cameras).");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Checkpoint interval; with exactly-once delivery, deltas become visible to read_committed consumers once per interval.");

    public static final ConfigOption<Boolean> CHECKPOINT_UNALIGNED =
            key("checkpoint.unaligned")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "With exactly-once delivery, let checkpoint barriers overtake frames in flight (Flink's unaligned checkpoints): a checkpoint, and with it the commit that makes deltas visible, no longer waits for every channel to drain. Its in-flight frames are stored in the checkpoint.");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            key("checkpoint.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Durable checkpoint storage URI (file:///..., s3://...); the latest checkpoint there is kept when the job is cancelled or fails, and deltatok run resumes from it; unset keeps checkpoints in JobManager memory.");

    public static final ConfigOption<Integer> PARALLELISM =
            key("parallelism")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Parallelism of the job; unset leaves it to the cluster (flink run -p, parallelism.default) or, for deltatok run, the number of cores.");

    public static final ConfigOption<MemorySize> REJECTED_MAX_BYTES =
            key("rejected.max-original-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64kb"))
                    .withDescription(
                            "How much of a rejected record's original value is kept in the RejectedFrame.");

    /** Where a job without a checkpoint starts reading frames. */
    public enum StartingOffsets {
        COMMITTED,
        EARLIEST,
        LATEST
    }

    /** Delivery guarantee of the sinks. */
    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE
    }

    /** Whether the tokenizer degrades under overload. */
    public enum OverloadPolicyMode {
        DEGRADE,
        OFF
    }

    /** Keyed state backend. */
    public enum StateBackend {
        HASHMAP,
        ROCKSDB
    }

    /** Every option declared in this class, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : TokenizerOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
