package dev.deltatok.flink;

import dev.deltatok.core.BatchResult;
import dev.deltatok.core.CameraFrame;
import dev.deltatok.core.FrameOutcome;
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.overload.Coalescer;
import dev.deltatok.overload.FrameAge;
import dev.deltatok.overload.OverloadPolicy;
import dev.deltatok.overload.OverloadSettings;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraExpiry;
import dev.deltatok.state.CameraState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed tokenizer, a thin adapter of {@link TokenizerCore}: per camera (the key) it keeps a
 * {@link CameraState}, buffers frames briefly so that the core can batch their encoder calls across
 * cameras, and emits what the core returns. The buffer is drained before every checkpoint barrier
 * and at end of input, so it is never part of a snapshot.
 *
 * <p>Under overload it degrades as its {@link OverloadPolicy} decides from the age of the frames it
 * buffers ({@link FrameAge}): first a smaller budget scale, then coalescing, where the buffer grows
 * to {@value #COALESCE_FACTOR} batches and only each camera's newest buffered frame is tokenized.
 * Every skipped frame is counted in the camera's next delta (kept in keyed state until one is
 * written) and in the metrics.
 *
 * <p>Bad frames go to the {@link FrameDecodeFunction#REJECTED} side output. Cameras that send
 * nothing for the configured TTL have their state cleared by a processing-time timer; their next
 * frame starts a new stream (a KEYFRAME with deltaSeq 0).
 */
public final class TokenizerOperator extends AbstractStreamOperator<TokenDelta>
        implements OneInputStreamOperator<Frame, TokenDelta>,
                Triggerable<String, VoidNamespace>,
                BoundedOneInput {

    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "camera-state";
    public static final String LAST_ACTIVE_STATE_NAME = "camera-last-active";
    public static final String TTL_TIMERS = "camera-ttl";
    public static final String UNREPORTED_SKIPS_STATE_NAME = "camera-unreported-skips";

    /** While coalescing, the buffer holds up to this many batches' worth of frames. */
    public static final int COALESCE_FACTOR = 8;

    private final ModelFactory modelFactory;
    private final TokenizerSettings settings;
    private final int maxBatchFrames;
    private final long maxBatchDelayMs;
    private final long cameraTtlMs;
    private final int maxOriginalBytes;
    private final OverloadSettings overloadSettings;

    private transient SharedModels.Lease model;
    private transient TokenizerCore core;
    private transient CameraExpiry expiry;
    private transient ValueState<CameraState> cameraState;
    private transient ValueState<Long> lastActive;
    private transient InternalTimerService<VoidNamespace> ttlTimers;
    private transient TokenizerMetrics metrics;
    private transient List<StreamRecord<Frame>> buffer;
    private transient Set<String> bufferedCameras;
    private transient boolean flushScheduled;
    private transient ValueState<Integer> unreportedSkips;
    private transient boolean unreportedSkipsMayExist;
    private transient OverloadPolicy overload;

    public TokenizerOperator(
            ModelFactory modelFactory,
            TokenizerSettings settings,
            int maxBatchFrames,
            Duration maxBatchDelay,
            Duration cameraTtl,
            int maxOriginalBytes,
            OverloadSettings overload) {
        if (maxBatchFrames < 1) {
            throw new IllegalArgumentException(
                    "maxBatchFrames must be >= 1, was " + maxBatchFrames);
        }
        this.modelFactory = modelFactory;
        this.settings = settings;
        this.maxBatchFrames = maxBatchFrames;
        this.maxBatchDelayMs = Math.max(0, maxBatchDelay.toMillis());
        this.cameraTtlMs = cameraTtl.toMillis();
        this.maxOriginalBytes = maxOriginalBytes;
        this.overloadSettings = java.util.Objects.requireNonNull(overload, "overload");
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Restored state may hold skips a rejected frame could not report.
        unreportedSkipsMayExist = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = SharedModels.acquire(modelFactory);
        core = new TokenizerCore(model, settings);
        expiry = new CameraExpiry(cameraTtlMs);
        cameraState =
                getPartitionedState(
                        new ValueStateDescriptor<>(STATE_NAME, new CameraStateTypeSerializer()));
        lastActive =
                getPartitionedState(
                        new ValueStateDescriptor<>(
                                LAST_ACTIVE_STATE_NAME, LongSerializer.INSTANCE));
        ttlTimers = getInternalTimerService(TTL_TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        unreportedSkips =
                getPartitionedState(
                        new ValueStateDescriptor<>(
                                UNREPORTED_SKIPS_STATE_NAME, IntSerializer.INSTANCE));
        overload = new OverloadPolicy(overloadSettings);
        metrics = new TokenizerMetrics(getMetricGroup());
        buffer = new ArrayList<>(maxBatchFrames);
        bufferedCameras = new HashSet<>();
    }

    @Override
    public void processElement(StreamRecord<Frame> element) throws Exception {
        metrics.recordFrameIn();
        if (ShedFrames.isMarker(element.getValue())) {
            countShed(element.getValue().getCameraId());
            return;
        }
        buffer.add(element);
        bufferedCameras.add(element.getValue().getCameraId());
        if (overload.coalescing()) {
            // Read ahead: of what waits here, only each camera's newest frame will cost anything.
            if (buffer.size() >= COALESCE_FACTOR * maxBatchFrames) {
                flush();
            } else {
                scheduleFlush(Math.max(1, maxBatchDelayMs));
            }
        } else if (buffer.size() >= maxBatchFrames || maxBatchDelayMs == 0) {
            flush();
        } else {
            scheduleFlush(maxBatchDelayMs);
        }
    }

    private void scheduleFlush(long delayMs) {
        if (!flushScheduled) {
            flushScheduled = true;
            getProcessingTimeService()
                    .registerTimer(
                            now() + delayMs,
                            time -> {
                                flushScheduled = false;
                                flush();
                            });
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    /** Hands every buffered frame to the core, then stores the states and emits the outcomes. */
    private void flush() throws Exception {
        if (buffer.isEmpty()) {
            return;
        }
        List<StreamRecord<Frame>> buffered = buffer;
        buffer = new ArrayList<>(maxBatchFrames);
        long now = now();
        long oldestAge = 0;
        for (StreamRecord<Frame> record : buffered) {
            long age = ageOf(record, now);
            metrics.recordFrameAge(age);
            oldestAge = Math.max(oldestAge, age);
        }
        OverloadPolicy.Decision decision = overload.observe(now, oldestAge);
        metrics.recordOverload(decision);
        List<StreamRecord<Frame>> records = buffered;
        Map<String, Integer> skippedBefore = new LinkedHashMap<>();
        if (decision.coalesce() && buffered.size() > bufferedCameras.size()) {
            boolean[] skip = Coalescer.skipped(waiting(buffered));
            records = new ArrayList<>(bufferedCameras.size());
            for (int i = 0; i < skip.length; i++) {
                StreamRecord<Frame> record = buffered.get(i);
                if (skip[i]) {
                    skippedBefore.merge(record.getValue().getCameraId(), 1, Integer::sum);
                    metrics.recordSkipped();
                } else {
                    records.add(record);
                }
            }
        }
        bufferedCameras.clear();
        Map<String, CameraState> states = new LinkedHashMap<>();
        List<CameraFrame> frames = new ArrayList<>(records.size());
        for (StreamRecord<Frame> record : records) {
            Frame frame = record.getValue();
            String camera = frame.getCameraId();
            CameraState state = states.get(camera);
            int skipped = 0;
            if (state == null) {
                setCurrentKey(camera);
                state = cameraState.value();
                if (state == null) {
                    state = core.newState(camera);
                }
                states.put(camera, state);
                skipped = skippedBefore.getOrDefault(camera, 0) + takeUnreportedSkips();
            }
            frames.add(new CameraFrame(frame, state, decision.budgetScale(), skipped));
        }
        BatchResult result = core.process(frames, Instant.ofEpochMilli(now));
        metrics.recordEncode(result.encodedPatches(), result.encoderCalls(), result.encodeNanos());
        for (Map.Entry<String, Integer> left : result.unreportedSkips().entrySet()) {
            setCurrentKey(left.getKey());
            unreportedSkips.update(left.getValue());
            unreportedSkipsMayExist = true;
        }
        int fullGrid = core.spec().patchesPerFrame() * core.spec().levels();
        for (int i = 0; i < records.size(); i++) {
            StreamRecord<Frame> record = records.get(i);
            FrameOutcome outcome = result.outcome(i);
            setCurrentKey(record.getValue().getCameraId());
            if (outcome.isRejected()) {
                metrics.recordRejected(outcome.rejectReason());
                output.collect(
                        FrameDecodeFunction.REJECTED,
                        new StreamRecord<>(
                                Rejections.ofFrame(
                                        record.getValue(),
                                        outcome.rejectReason(),
                                        outcome.detail(),
                                        maxOriginalBytes,
                                        Instant.ofEpochMilli(now()))));
                continue;
            }
            CameraState state = frames.get(i).state();
            cameraState.update(state);
            touch();
            metrics.recordDelta(outcome.delta(), fullGrid);
            metrics.sampleStateBytes(state);
            if (record.hasTimestamp()) {
                output.collect(new StreamRecord<>(outcome.delta(), record.getTimestamp()));
            } else {
                output.collect(new StreamRecord<>(outcome.delta()));
            }
        }
    }

    /**
     * A frame of {@code camera} shed where it entered the job: counted as skipped, reported by the
     * camera's next delta. Frames of the camera waiting here go first, so that the count lands on
     * the delta after the shed frame.
     */
    private void countShed(String camera) throws Exception {
        if (bufferedCameras.contains(camera)) {
            flush();
            setCurrentKey(camera);
        }
        Integer pending = unreportedSkips.value();
        unreportedSkips.update(pending == null ? 1 : pending + 1);
        unreportedSkipsMayExist = true;
        metrics.recordSkipped();
        touch();
    }

    /** Skips of the current camera that no delta has reported yet; clears them. */
    private int takeUnreportedSkips() throws Exception {
        if (!unreportedSkipsMayExist) {
            return 0;
        }
        Integer pending = unreportedSkips.value();
        if (pending == null) {
            return 0;
        }
        unreportedSkips.clear();
        return pending;
    }

    private static long ageOf(StreamRecord<Frame> record, long now) {
        long captureMs = record.getValue().getCaptureTime().toEpochMilli();
        return FrameAge.millis(
                now,
                captureMs,
                record.hasTimestamp() ? record.getTimestamp() : FrameAge.NO_TIMESTAMP);
    }

    private static List<Coalescer.Waiting> waiting(List<StreamRecord<Frame>> records) {
        List<Coalescer.Waiting> out = new ArrayList<>(records.size());
        for (StreamRecord<Frame> record : records) {
            out.add(
                    new Coalescer.Waiting(
                            record.getValue().getCameraId(), record.getValue().getSeq()));
        }
        return out;
    }

    /** Remembers activity and makes sure a TTL timer will look at this camera. */
    private void touch() throws Exception {
        if (expiry.enabled()) {
            long now = now();
            lastActive.update(now);
            ttlTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiry.checkTime(now));
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        Long last = lastActive.value();
        if (last != null && expiry.expired(last, timer.getTimestamp())) {
            cameraState.clear();
            lastActive.clear();
            unreportedSkips.clear();
            metrics.recordCameraExpired();
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    @Override
    public void close() throws Exception {
        try {
            if (model != null) {
                model.close();
                model = null;
            }
        } finally {
            super.close();
        }
    }

    /** The metrics of this instance (for tests). */
    TokenizerMetrics metrics() {
        return metrics;
    }
}
