package dev.deltatok.flink;

import dev.deltatok.delta.CameraTokenizer;
import dev.deltatok.delta.PendingFrame;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.state.CameraStateSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * The keyed tokenizer: per camera (the key) it keeps a {@link CameraState} and turns each frame
 * into a {@link TokenDelta}. Frames of many cameras are buffered briefly so that their changed
 * patches go through the encoder in one batched call; a camera's frames keep their order (one
 * camera is in a batch round at most once). The buffer is drained before every checkpoint barrier
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

    private static final CameraStateSerializer STATE_BYTES = new CameraStateSerializer();

    private final ModelFactory modelFactory;
    private final TokenizerSettings settings;
    private final int maxBatchFrames;
    private final long maxBatchDelayMs;
    private final long cameraTtlMs;
    private final int maxOriginalBytes;

    private transient SharedModels.Lease model;
    private transient CameraTokenizer tokenizer;
    private transient ValueState<CameraState> cameraState;
    private transient ValueState<Long> lastActive;
    private transient InternalTimerService<VoidNamespace> ttlTimers;
    private transient TokenizerMetrics metrics;
    private transient List<StreamRecord<Frame>> buffer;
    private transient boolean flushScheduled;
    private transient long framesSinceStateSample;

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
        ModelSpec spec = model.spec();
        tokenizer = new CameraTokenizer(spec, settings);
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
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService()
                    .registerTimer(
                            now + maxBatchDelayMs,
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

    /** Tokenises every buffered frame; a camera with several frames takes several rounds. */
    private void flush() throws Exception {
        while (!buffer.isEmpty()) {
            List<StreamRecord<Frame>> round = new ArrayList<>();
            List<StreamRecord<Frame>> later = new ArrayList<>();
            Set<String> cameras = new HashSet<>();
            for (StreamRecord<Frame> record : buffer) {
                if (cameras.add(record.getValue().getCameraId())) {
                    round.add(record);
                } else {
                    later.add(record);
                }
            }
            buffer = later;
            processRound(round);
        }
    }

    private void processRound(List<StreamRecord<Frame>> round) throws Exception {
        List<StreamRecord<Frame>> accepted = new ArrayList<>(round.size());
        List<PendingFrame> pending = new ArrayList<>(round.size());
        List<CameraState> states = new ArrayList<>(round.size());
        int patches = 0;
        for (StreamRecord<Frame> record : round) {
            Frame frame = record.getValue();
            setCurrentKey(frame.getCameraId());
            CameraState state = cameraState.value();
            if (state == null) {
                state = tokenizer.newState(frame.getCameraId());
            }
            try {
                PendingFrame p = tokenizer.prepare(state, frame);
                accepted.add(record);
                pending.add(p);
                states.add(state);
                patches += p.count();
            } catch (FrameRejectedException e) {
                reject(frame, e.reason(), e.getMessage());
            }
        }
        if (accepted.isEmpty()) {
            return;
        }
        EncodedPatches encoded = encode(pending, patches);
        Instant emitTime =
                Instant.ofEpochMilli(getProcessingTimeService().getCurrentProcessingTime());
        int offset = 0;
        for (int i = 0; i < accepted.size(); i++) {
            StreamRecord<Frame> record = accepted.get(i);
            Frame frame = record.getValue();
            setCurrentKey(frame.getCameraId());
            CameraState state = states.get(i);
            TokenDelta delta = tokenizer.complete(state, pending.get(i), encoded, offset, emitTime);
            offset += pending.get(i).count();
            cameraState.update(state);
            touch();
            metrics.recordDelta(delta, model.spec().patchesPerFrame() * model.spec().levels());
            sampleStateSize(state);
            if (record.hasTimestamp()) {
                output.collect(new StreamRecord<>(delta, record.getTimestamp()));
            } else {
                output.collect(new StreamRecord<>(delta));
            }
        }
    }

    private EncodedPatches encode(List<PendingFrame> pending, int patches) {
        int values = model.spec().patchValues();
        float[] batch = new float[patches * values];
        int at = 0;
        for (PendingFrame p : pending) {
            System.arraycopy(p.patches(), 0, batch, at, p.count() * values);
            at += p.count() * values;
        }
        if (patches == 0) {
            ModelSpec spec = model.spec();
            return new EncodedPatches(
                    0, spec.levels(), spec.latentDim(), new int[0], new float[0], new float[0]);
        }
        long start = System.nanoTime();
        EncodedPatches encoded = model.encode(batch, patches);
        metrics.recordEncode(patches, System.nanoTime() - start);
        return encoded;
    }

    private void reject(Frame frame, RejectReason reason, String detail) {
        metrics.recordRejected(reason);
        output.collect(
                FrameDecodeFunction.REJECTED,
                new StreamRecord<>(
                        Rejections.ofFrame(
                                frame,
                                reason,
                                detail,
                                maxOriginalBytes,
                                Instant.ofEpochMilli(
                                        getProcessingTimeService().getCurrentProcessingTime()))));
    }

    /** Remembers activity and makes sure a TTL timer will look at this camera. */
    private void touch() throws Exception {
        if (cameraTtlMs <= 0) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        lastActive.update(now);
        // Coarse timer slots bound the number of timers per camera.
        long granularity = Math.max(1000, cameraTtlMs / 8);
        long due = ((now + cameraTtlMs) / granularity + 1) * granularity;
        ttlTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
    }

    private void sampleStateSize(CameraState state) {
        if (framesSinceStateSample++ % 256 == 0) {
            metrics.recordStateBytes(STATE_BYTES.serialize(state).length);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        Long last = lastActive.value();
        if (last != null && timer.getTimestamp() - last >= cameraTtlMs) {
            cameraState.clear();
            lastActive.clear();
            metrics.recordCameraExpired();
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

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
