package dev.deltatok.delta;

import dev.deltatok.reference.PictureMotion;
import dev.deltatok.schema.KeyframeReason;
import java.time.Instant;

/**
 * A frame that passed validation and change detection, waiting for its patches' encoder output:
 * what the stages after the encoder need to know of it. Arrays are owned by the frame and never
 * modified after construction.
 *
 * @param frameSeq the frame's seq
 * @param captureTime the frame's capture time
 * @param blockMeans the frame's reference-block means ({@link
 *     dev.deltatok.reference.ReferenceGrid#blockMeans})
 * @param drift per position squared block-mean drift to the reference, null when every position is
 *     encoded anyway (a keyframe decided before encoding); for a model that is not patch-local,
 *     once encoded, the squared representation shift ({@link RepresentationShift})
 * @param changedPatches positions above the change threshold (all of them without a reference)
 * @param positions grid positions (row-major, increasing) whose patches were encoded
 * @param batchRow row of the first of them in the encoder batch
 * @param keyframeReason why the frame is a keyframe, decided before encoding; NONE for a delta
 *     (which may still become an ERROR_BOUND keyframe)
 * @param budgetScale fraction of the full budget in force for this frame, (0, 1]
 * @param skippedFrames frames of the camera skipped since its last delta
 * @param noiseLevel the camera's noise level after this frame's sample (8-bit levels, negative
 *     while unknown)
 * @param motion the picture's global motion for this frame ({@link PictureMotion#NONE} for a
 *     keyframe decided before encoding); block means, drift and positions are in the coordinates of
 *     the key map after it moved
 */
public record PreparedFrame(
        String cameraId,
        long frameSeq,
        Instant captureTime,
        byte[] blockMeans,
        float[] drift,
        int changedPatches,
        int[] positions,
        int batchRow,
        KeyframeReason keyframeReason,
        float budgetScale,
        int skippedFrames,
        float noiseLevel,
        PictureMotion motion) {

    /** This frame with another drift array (owned by the result). */
    public PreparedFrame withDrift(float[] newDrift) {
        return new PreparedFrame(
                cameraId,
                frameSeq,
                captureTime,
                blockMeans,
                newDrift,
                changedPatches,
                positions,
                batchRow,
                keyframeReason,
                budgetScale,
                skippedFrames,
                noiseLevel,
                motion);
    }

    /** Patches encoded for this frame. */
    public int encodedCount() {
        return positions.length;
    }

    @Override
    public String toString() {
        return "PreparedFrame["
                + cameraId
                + "#"
                + frameSeq
                + ", encode "
                + positions.length
                + ", changed "
                + changedPatches
                + ", "
                + keyframeReason
                + "]";
    }
}
