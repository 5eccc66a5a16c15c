package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;

/**
 * Global-motion estimation: the whole-pixel offset at which a frame best lines up with the picture
 * a consumer holds. Cheap: it compares projection profiles (the frame's column and row means of
 * {@code r + g + b}, at pixel resolution) with the same profiles of the camera's reference (its
 * block means, at block resolution), one axis at a time, each axis searched over {@code
 * searchRange} pixels around the offset the consumer already applies; the second axis and a second
 * pass of the first use only the part of the frame the other axis's estimate keeps in view.
 *
 * <p>The estimate is a candidate: the caller accepts it only when it clearly explains the frame
 * better than no new motion. Owns scratch buffers: one instance per thread.
 */
public final class GlobalMotionEstimator {

    /** Fewest fraction of the profile that must overlap for an offset to be scored. */
    private static final double MIN_OVERLAP = 0.5;

    private final int block;
    private final int width;
    private final int height;
    private final int blockCols;
    private final int blockRows;
    private final int searchRange;
    private final int[] luma;
    private final long[] profile;
    private final double[] reference;

    /**
     * @param width frame width in pixels (the model's)
     * @param height frame height in pixels
     * @param block side of the reference's blocks; divides width and height
     * @param searchRange most pixels of new motion searched per axis and frame, at least 1
     */
    public GlobalMotionEstimator(int width, int height, int block, int searchRange) {
        if (width % block != 0 || height % block != 0 || searchRange < 1) {
            throw new IllegalArgumentException(
                    "frame "
                            + width
                            + "x"
                            + height
                            + ", block "
                            + block
                            + ", search range "
                            + searchRange);
        }
        this.block = block;
        this.width = width;
        this.height = height;
        this.blockCols = width / block;
        this.blockRows = height / block;
        this.searchRange = searchRange;
        this.luma = new int[width * height];
        this.profile = new long[Math.max(width, height) + 1];
        this.reference = new double[Math.max(blockCols, blockRows)];
    }

    /** An estimate: the total offset at which the held picture best matches the frame. */
    public record Estimate(int offsetX, int offsetY) {}

    /**
     * Estimates the offset of a frame against the held reference.
     *
     * @param image the frame at model resolution
     * @param reference the held reference block means (interleaved RGB, {@code block x block}
     *     blocks), in the key map's coordinates
     * @param heldX the horizontal offset at which the consumer shows the held picture now
     * @param heldY the vertical offset
     * @return the offset at which the held picture, shown there, best matches the frame
     */
    public Estimate estimate(RgbImage image, byte[] reference, int heldX, int heldY) {
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException(
                    "image " + image + " is not " + width + "x" + height);
        }
        byte[] rgb = image.data();
        for (int i = 0, o = 0; i < luma.length; i++, o += 3) {
            luma[i] = (rgb[o] & 0xFF) + (rgb[o + 1] & 0xFF) + (rgb[o + 2] & 0xFF);
        }
        int[] rows = visible(heldY, blockRows);
        int x = search(true, reference, heldX, rows[0], rows[1], heldY);
        int[] cols = visible(x, blockCols);
        int y = search(false, reference, heldY, cols[0], cols[1], x);
        rows = visible(y, blockRows);
        x = search(true, reference, heldX, rows[0], rows[1], y);
        return new Estimate(x, y);
    }

    /**
     * Reference blocks {@code [from, to)} along one axis fully in view when the picture is shown at
     * {@code offset} pixels along that axis.
     */
    private int[] visible(int offset, int blocks) {
        int from = Math.max(0, Math.floorDiv(-offset + block - 1, block));
        int to = Math.min(blocks, Math.floorDiv(blocks * block - offset, block));
        // The offsets searched keep at least half of each axis in view, so this is never empty.
        return new int[] {from, to};
    }

    /**
     * The offset along one axis in {@code [held - searchRange, held + searchRange]} with the least
     * mean absolute profile difference; ties go to the offset nearer {@code held}, then the lower.
     *
     * @param horizontal true: column profiles, offsets along x; false: row profiles, along y
     * @param acrossFrom first reference block of the other axis the profiles average over
     * @param acrossTo end of those blocks (exclusive); fully in view at {@code acrossOffset}
     * @param acrossOffset the other axis's offset: those blocks lie on the frame's pixels {@code
     *     [acrossFrom * block + acrossOffset, acrossTo * block + acrossOffset)}
     */
    private int search(
            boolean horizontal,
            byte[] ref,
            int held,
            int acrossFrom,
            int acrossTo,
            int acrossOffset) {
        int length = horizontal ? width : height;
        int blocks = horizontal ? blockCols : blockRows;
        // Frame profile over the pixels across [acrossFrom, acrossTo) blocks, as a prefix sum.
        int from = acrossFrom * block + acrossOffset;
        int to = acrossTo * block + acrossOffset;
        profile[0] = 0;
        for (int i = 0; i < length; i++) {
            long sum = 0;
            if (horizontal) {
                for (int yy = from; yy < to; yy++) {
                    sum += luma[yy * width + i];
                }
            } else {
                int base = i * width;
                for (int xx = from; xx < to; xx++) {
                    sum += luma[base + xx];
                }
            }
            profile[i + 1] = profile[i] + sum;
        }
        double frameScale = 1.0 / ((double) (to - from) * block);
        // Reference profile over the same blocks across.
        for (int b = 0; b < blocks; b++) {
            long sum = 0;
            for (int a = acrossFrom; a < acrossTo; a++) {
                int o = horizontal ? (a * blockCols + b) * 3 : (b * blockCols + a) * 3;
                sum += (ref[o] & 0xFF) + (ref[o + 1] & 0xFF) + (ref[o + 2] & 0xFF);
            }
            reference[b] = (double) sum / (acrossTo - acrossFrom);
        }
        int best = held;
        double bestCost = Double.MAX_VALUE;
        for (int d = 0; d <= 2 * searchRange; d++) {
            // held, held + 1, held - 1, held + 2, ...: ties keep the nearer offset.
            int t = held + ((d & 1) == 1 ? (d + 1) / 2 : -(d / 2));
            double cost = cost(t, blocks, length, frameScale);
            if (cost < bestCost) {
                bestCost = cost;
                best = t;
            }
        }
        return best;
    }

    /**
     * Mean absolute difference between the reference profile and the frame profile at offset {@code
     * t} (reference block {@code b} lies on frame pixels {@code [b*block + t, (b+1)*block + t)}),
     * over the blocks fully in the frame; +inf with too little overlap.
     */
    private double cost(int t, int blocks, int length, double frameScale) {
        int from = Math.max(0, Math.floorDiv(-t + block - 1, block));
        int to = Math.min(blocks, Math.floorDiv(length - t, block));
        if (to - from < blocks * MIN_OVERLAP) {
            return Double.MAX_VALUE;
        }
        double sum = 0;
        for (int b = from; b < to; b++) {
            int start = b * block + t;
            double frame = (profile[start + block] - profile[start]) * frameScale;
            sum += Math.abs(frame - reference[b]);
        }
        return sum / (to - from);
    }
}
