package dev.deltatok.flink;

import dev.deltatok.core.BatchResult;
import dev.deltatok.core.CameraFrame;
import dev.deltatok.core.FrameOutcome;
import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraExpiry;
import dev.deltatok.state.CameraState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
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

    private final ModelFactory modelFactory;
    private final TokenizerSettings settings;
    private final int maxBatchFrames;
    private final long maxBatchDelayMs;
    private final long cameraTtlMs;
    private final int maxOriginalBytes;

    private transient SharedModels.Lease model;
    private transient TokenizerCore core;
    private transient CameraExpiry expiry;
    private transient ValueState<CameraState> cameraState;
    private transient ValueState<Long> lastActive;
    private transient InternalTimerService<VoidNamespace> ttlTimers;
    private transient TokenizerMetrics metrics;
    private transient List<StreamRecord<Frame>> buffer;
    private transient boolean flushScheduled;

    public TokenizerOperator(
            ModelFactory modelFactory,
            TokenizerSettings settings,
            int maxBatchFrames,
            Duration maxBatchDelay,
            Duration cameraTtl,
            int maxOriginalBytes) {
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
        metrics = new TokenizerMetrics(getMetricGroup());
        buffer = new ArrayList<>(maxBatchFrames);
    }

    @Override
    public void processElement(StreamRecord<Frame> element) throws Exception {
        metrics.recordFrameIn();
        buffer.add(element);
        if (buffer.size() >= maxBatchFrames || maxBatchDelayMs == 0) {
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            getProcessingTimeService()
                    .registerTimer(
                            now() + maxBatchDelayMs,
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
        List<StreamRecord<Frame>> records = buffer;
        buffer = new ArrayList<>(maxBatchFrames);
        Map<String, CameraState> states = new LinkedHashMap<>();
        List<CameraFrame> frames = new ArrayList<>(records.size());
        for (StreamRecord<Frame> record : records) {
            Frame frame = record.getValue();
            CameraState state = states.get(frame.getCameraId());
            if (state == null) {
                setCurrentKey(frame.getCameraId());
                state = cameraState.value();
                if (state == null) {
                    state = core.newState(frame.getCameraId());
                }
                states.put(frame.getCameraId(), state);
            }
            frames.add(new CameraFrame(frame, state));
        }
        BatchResult result = core.process(frames, Instant.ofEpochMilli(now()));
        metrics.recordEncode(result.encodedPatches(), result.encoderCalls(), result.encodeNanos());
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
