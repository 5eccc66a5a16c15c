package dev.deltatok.flink;

import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.TokenDelta;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The tokenizer's metrics, registered once per operator instance under the operator's metric group:
 *
 * <ul>
 *   <li>{@code framesIn}, {@code framesRejected} and {@code framesRejected.<REASON>} (counters)
 *   <li>{@code patchesEncoded}, {@code tokensEmitted}, {@code fullGridTokens}, {@code keyframes},
 *       {@code keyframes.<REASON>} (SCENE_CUT, MAX_INTERVAL, ...), {@code camerasExpired}
 *       (counters)
 *   <li>{@code deltaRatio} (gauge): tokens emitted over the tokens a full grid would have sent
 *   <li>{@code encodeBatchSize} (histogram, patches per encoder call), {@code encodeLatencyMs}
 *       (histogram, milliseconds per encoder call)
 *   <li>{@code stateBytesPerCamera} (gauge): serialised size of the last sampled camera state
 *   <li>overload: {@code framesSkipped} (counter, frames coalesced away, each also counted in its
 *       camera's next delta), {@code framesAtReducedBudget} (counter, deltas written with a budget
 *       scale below 1), {@code budgetScale} and {@code overloadLevel} (gauges, the policy's current
 *       decision: 1 and 0 when not degraded), {@code frameAgeMs} (histogram, processing time minus
 *       capture time of each frame when its batch is handed to the core)
 * </ul>
 */
public final class TokenizerMetrics {

    private static final dev.deltatok.state.CameraStateSerializer STATE_BYTES =
            new dev.deltatok.state.CameraStateSerializer();

    private long framesSinceStateSample;

    private final MetricGroup group;
    private final Counter framesIn;
    private final Counter framesRejected;
    private final Map<RejectReason, Counter> rejectedByReason = new EnumMap<>(RejectReason.class);
    private final Counter patchesEncoded;
    private final Counter tokensEmitted;
    private final Counter fullGridTokens;
    private final Counter keyframes;
    private final Map<KeyframeReason, Counter> keyframesByReason =
            new EnumMap<>(KeyframeReason.class);
    private final Counter camerasExpired;
    private final Histogram encodeBatchSize;
    private final Histogram encodeLatencyMs;
    private volatile long stateBytesPerCamera;
    private final Counter framesSkipped;
    private final Counter framesAtReducedBudget;
    private final Histogram frameAgeMs;
    private volatile double budgetScale = 1.0;
    private volatile int overloadLevel;

    public TokenizerMetrics(MetricGroup group) {
        this.group = group;
        framesIn = group.counter("framesIn");
        framesRejected = group.counter("framesRejected");
        patchesEncoded = group.counter("patchesEncoded");
        tokensEmitted = group.counter("tokensEmitted");
        fullGridTokens = group.counter("fullGridTokens");
        keyframes = group.counter("keyframes");
        camerasExpired = group.counter("camerasExpired");
        encodeBatchSize =
                group.histogram("encodeBatchSize", new DescriptiveStatisticsHistogram(1024));
        encodeLatencyMs =
                group.histogram("encodeLatencyMs", new DescriptiveStatisticsHistogram(1024));
        group.gauge(
                "deltaRatio",
                () -> {
                    long full = fullGridTokens.getCount();
                    return full == 0 ? 0.0 : (double) tokensEmitted.getCount() / full;
                });
        group.gauge("stateBytesPerCamera", () -> stateBytesPerCamera);
        framesSkipped = group.counter("framesSkipped");
        framesAtReducedBudget = group.counter("framesAtReducedBudget");
        frameAgeMs = group.histogram("frameAgeMs", new DescriptiveStatisticsHistogram(1024));
        group.gauge("budgetScale", () -> budgetScale);
        group.gauge("overloadLevel", () -> overloadLevel);
    }

    public void recordFrameIn() {
        framesIn.inc();
    }

    public void recordRejected(RejectReason reason) {
        framesRejected.inc();
        rejectedByReason
                .computeIfAbsent(reason, r -> group.addGroup("framesRejected").counter(r.name()))
                .inc();
    }

    /** Records {@code calls} encoder calls that took {@code nanos} for {@code patches} in all. */
    public void recordEncode(int patches, int calls, long nanos) {
        if (calls == 0) {
            return;
        }
        patchesEncoded.inc(patches);
        for (int c = 0; c < calls; c++) {
            encodeBatchSize.update(patches / calls);
            encodeLatencyMs.update(nanos / calls / 1_000_000);
        }
    }

    public void recordDelta(TokenDelta delta, int fullGridTokensPerFrame) {
        tokensEmitted.inc(delta.getStats().getTokens());
        fullGridTokens.inc(fullGridTokensPerFrame);
        if (delta.getStats().getBudgetScale() < 1.0f) {
            framesAtReducedBudget.inc();
        }
        if (delta.getKind() == dev.deltatok.schema.DeltaKind.KEYFRAME) {
            keyframes.inc();
            keyframesByReason
                    .computeIfAbsent(
                            delta.getStats().getKeyframeReason(),
                            r -> group.addGroup("keyframes").counter(r.name()))
                    .inc();
        }
    }

    /** A frame skipped by coalescing. */
    public void recordSkipped() {
        framesSkipped.inc();
    }

    public void recordFrameAge(long ageMs) {
        frameAgeMs.update(ageMs);
    }

    /** The overload policy's decision for the batch being tokenized. */
    public void recordOverload(dev.deltatok.overload.OverloadPolicy.Decision decision) {
        budgetScale = decision.budgetScale();
        overloadLevel = decision.level();
    }

    public long framesSkipped() {
        return framesSkipped.getCount();
    }

    public long framesAtReducedBudget() {
        return framesAtReducedBudget.getCount();
    }

    public double budgetScale() {
        return budgetScale;
    }

    public int overloadLevel() {
        return overloadLevel;
    }

    public void recordCameraExpired() {
        camerasExpired.inc();
    }

    public void recordStateBytes(long bytes) {
        stateBytesPerCamera = bytes;
    }

    /**
     * Records the serialised size of a camera's state, for one frame in 256 (serialising every
     * state would cost more than it tells).
     */
    public void sampleStateBytes(dev.deltatok.state.CameraState state) {
        if (framesSinceStateSample++ % 256 == 0) {
            recordStateBytes(STATE_BYTES.serialize(state).length);
        }
    }

    public long framesIn() {
        return framesIn.getCount();
    }

    public long framesRejected() {
        return framesRejected.getCount();
    }

    public long keyframes() {
        return keyframes.getCount();
    }

    /** Keyframes emitted for this reason. */
    public long keyframes(KeyframeReason reason) {
        Counter counter = keyframesByReason.get(reason);
        return counter == null ? 0 : counter.getCount();
    }
}
