package dev.deltatok.delta;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.schema.KeyframeReason;
import java.time.Instant;

/**
 * A validated frame waiting for its patches to be encoded: the result of {@link
 * CameraTokenizer#prepare}. {@link #patches()} holds {@link #count()} patches, layout {@code [N, C,
 * P, P]} floats in [0, 1], for grid positions {@link #positions()} (increasing). Callers may
 * concatenate the patches of several cameras into one encoder batch and hand each its offset.
 */
public final class PendingFrame {

    private final String cameraId;
    private final long frameSeq;
    private final Instant captureTime;
    private final RgbImage image;
    private final byte[] blockMeans;
    private final float[] meanAbsDiff;
    private final float[] drift;
    private final int changedPatches;
    private final int[] positions;
    private final float[] patches;
    private final KeyframeReason keyframeReason;

    PendingFrame(
            String cameraId,
            long frameSeq,
            Instant captureTime,
            RgbImage image,
            byte[] blockMeans,
            float[] meanAbsDiff,
            float[] drift,
            int changedPatches,
            int[] positions,
            float[] patches,
            KeyframeReason keyframeReason) {
        this.cameraId = cameraId;
        this.frameSeq = frameSeq;
        this.captureTime = captureTime;
        this.image = image;
        this.blockMeans = blockMeans;
        this.meanAbsDiff = meanAbsDiff;
        this.drift = drift;
        this.changedPatches = changedPatches;
        this.positions = positions;
        this.patches = patches;
        this.keyframeReason = keyframeReason;
    }

    public String cameraId() {
        return cameraId;
    }

    public long frameSeq() {
        return frameSeq;
    }

    public Instant captureTime() {
        return captureTime;
    }

    /** The decoded frame at model resolution. */
    public RgbImage image() {
        return image;
    }

    /** Patches to encode, {@code [count, C, P, P]}. */
    public float[] patches() {
        return patches;
    }

    /** Patches to encode (N); 0 means no encoder call is needed. */
    public int count() {
        return positions.length;
    }

    /** Grid positions (row-major) of the patches, increasing. */
    public int[] positions() {
        return positions;
    }

    /** Patches above the noise floor (all of them when there is no reference yet). */
    public int changedPatches() {
        return changedPatches;
    }

    /** Why this frame is a keyframe, decided before encoding; ERROR_BOUND can still follow. */
    public KeyframeReason keyframeReason() {
        return keyframeReason;
    }

    byte[] blockMeans() {
        return blockMeans;
    }

    /** Per position MAD to the reference, null when every patch is encoded anyway. */
    float[] meanAbsDiff() {
        return meanAbsDiff;
    }

    /** Per position squared drift to the reference, null when every patch is encoded anyway. */
    float[] drift() {
        return drift;
    }

    @Override
    public String toString() {
        return "PendingFrame["
                + cameraId
                + "#"
                + frameSeq
                + ", encode "
                + count()
                + ", changed "
                + changedPatches
                + ", "
                + keyframeReason
                + "]";
    }
}
