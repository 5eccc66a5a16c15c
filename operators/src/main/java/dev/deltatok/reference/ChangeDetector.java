package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;
import dev.deltatok.state.CameraState;

/**
 * Change detection in pixel space: per grid position, how far the frame's reference-block means
 * moved from the camera's reference, and which positions moved more than the camera's change
 * threshold (mean absolute difference in 8-bit levels). Cheap: it runs on block means, 1/16 of the
 * pixels at the default block of 4. Stateless; one instance serves every camera of a thread.
 */
public final class ChangeDetector {

    private final ReferenceGrid grid;

    public ChangeDetector(ReferenceGrid grid) {
        this.grid = grid;
    }

    /** The frame's reference-block means, the form in which a reference is kept. */
    public byte[] blockMeans(RgbImage image) {
        return grid.blockMeans(image);
    }

    /**
     * Compares block means with the camera's reference.
     *
     * @param changeThreshold the camera's change threshold, 8-bit levels
     */
    public Change detect(byte[] blockMeans, CameraState state, double changeThreshold) {
        return detect(blockMeans, state, PictureMotion.NONE, changeThreshold);
    }

    /**
     * Compares block means, in the coordinates of the key map after the motion, with the camera's
     * reference moved by the motion's whole patches.
     */
    public Change detect(
            byte[] blockMeans, CameraState state, PictureMotion motion, double changeThreshold) {
        int positions = state.positions();
        float[] mad = new float[positions];
        float[] drift = new float[positions];
        state.compareWithReference(blockMeans, motion, mad, drift);
        int changed = 0;
        for (float m : mad) {
            if (m > changeThreshold) {
                changed++;
            }
        }
        int[] over = new int[changed];
        int n = 0;
        for (int p = 0; p < positions; p++) {
            if (mad[p] > changeThreshold) {
                over[n++] = p;
            }
        }
        return new Change(drift, over);
    }

    /**
     * The outcome for one frame.
     *
     * @param drift per position, the mean squared difference (values in [0, 1]) to the reference
     * @param changedPositions positions above the threshold, increasing
     */
    public record Change(float[] drift, int[] changedPositions) {

        public int changedCount() {
            return changedPositions.length;
        }
    }
}
