package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;

/**
 * {@link GlobalMotionEstimator}'s search written the direct way, for tests to compare with: a
 * luminance sum per pixel, each axis's profile summed pixel by pixel over the rows or columns in
 * view, and three searches (x, then y over the columns x keeps in view, then x again over the rows
 * y keeps in view). The estimator computes the same profiles from one pass over the frame.
 */
final class ProfileSearchDefinition {

    private final int block;
    private final int width;
    private final int height;
    private final int blockCols;
    private final int blockRows;
    private final int searchRange;

    ProfileSearchDefinition(int width, int height, int block, int searchRange) {
        this.block = block;
        this.width = width;
        this.height = height;
        this.blockCols = width / block;
        this.blockRows = height / block;
        this.searchRange = searchRange;
    }

    GlobalMotionEstimator.Estimate estimate(
            RgbImage image, byte[] reference, int heldX, int heldY) {
        byte[] rgb = image.data();
        int[] luma = new int[width * height];
        for (int i = 0, o = 0; i < luma.length; i++, o += 3) {
            luma[i] = (rgb[o] & 0xFF) + (rgb[o + 1] & 0xFF) + (rgb[o + 2] & 0xFF);
        }
        int[] rows = visible(heldY, blockRows);
        int x = search(luma, true, reference, heldX, rows[0], rows[1], heldY);
        int[] cols = visible(x, blockCols);
        int y = search(luma, false, reference, heldY, cols[0], cols[1], x);
        rows = visible(y, blockRows);
        x = search(luma, true, reference, heldX, rows[0], rows[1], y);
        return new GlobalMotionEstimator.Estimate(x, y);
    }

    private int[] visible(int offset, int blocks) {
        int from = Math.max(0, Math.floorDiv(-offset + block - 1, block));
        int to = Math.min(blocks, Math.floorDiv(blocks * block - offset, block));
        return new int[] {from, to};
    }

    private int search(
            int[] luma,
            boolean horizontal,
            byte[] ref,
            int held,
            int acrossFrom,
            int acrossTo,
            int acrossOffset) {
        int length = horizontal ? width : height;
        int blocks = horizontal ? blockCols : blockRows;
        int from = acrossFrom * block + acrossOffset;
        int to = acrossTo * block + acrossOffset;
        long[] profile = new long[length + 1];
        for (int i = 0; i < length; i++) {
            long sum = 0;
            for (int a = from; a < to; a++) {
                sum += horizontal ? luma[a * width + i] : luma[i * width + a];
            }
            profile[i + 1] = profile[i] + sum;
        }
        double frameScale = 1.0 / ((double) (to - from) * block);
        double[] reference = new double[blocks];
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
            int t = held + ((d & 1) == 1 ? (d + 1) / 2 : -(d / 2));
            int bFrom = Math.max(0, Math.floorDiv(-t + block - 1, block));
            int bTo = Math.min(blocks, Math.floorDiv(length - t, block));
            if (bTo - bFrom < blocks * 0.5) {
                continue;
            }
            double sum = 0;
            for (int b = bFrom; b < bTo; b++) {
                int start = b * block + t;
                sum +=
                        Math.abs(
                                (profile[start + block] - profile[start]) * frameScale
                                        - reference[b]);
            }
            double cost = sum / (bTo - bFrom);
            if (cost < bestCost) {
                bestCost = cost;
                best = t;
            }
        }
        return best;
    }
}
