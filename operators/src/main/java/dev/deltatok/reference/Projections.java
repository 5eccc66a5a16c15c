package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;
import java.util.Arrays;

/**
 * A frame's projections at pixel resolution: per column and per row, the sum of {@code r + g + b}
 * over the whole frame, what {@link GlobalMotionEstimator} builds its profiles from. Filled by
 * {@link #compute}, or by {@link ReferenceGrid#blockMeans(RgbImage, Projections)} in the same pass
 * over the frame as its block means. Mutable scratch: one instance per thread.
 */
public final class Projections {

    private final int width;
    private final int height;
    final int[] columns;
    final int[] rows;
    private final int[] byteColumns;
    private final long[] evenWords;
    private final long[] oddWords;

    /**
     * @param width frame width in pixels
     * @param height frame height in pixels
     */
    public Projections(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.columns = new int[width];
        this.rows = new int[height];
        this.byteColumns = new int[width * 3];
        this.evenWords = new long[(width * 3 + 7) / 8];
        this.oddWords = new long[(width * 3 + 7) / 8];
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Sum of {@code r + g + b} over column {@code x}. */
    public int column(int x) {
        return columns[x];
    }

    /** Sum of {@code r + g + b} over row {@code y}. */
    public int row(int y) {
        return rows[y];
    }

    /**
     * Computes the projections of {@code image}: a row's sum is the sum of all its bytes, a
     * column's the sum of its three byte columns.
     */
    public void compute(RgbImage image) {
        check(image);
        byte[] rgb = image.data();
        int rowBytes = width * 3;
        Arrays.fill(byteColumns, 0);
        for (int y = 0; y < height; y++) {
            int base = y * rowBytes;
            int sum = 0;
            for (int i = 0; i < rowBytes; i++) {
                int v = rgb[base + i] & 0xFF;
                sum += v;
                byteColumns[i] += v;
            }
            rows[y] = sum;
        }
        columnsFromBytes();
    }

    void check(RgbImage image) {
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException(
                    "image " + image + " is not " + width + "x" + height);
        }
    }

    /** Per byte column (interleaved RGB), the sums that {@link #columnsFromBytes} combines. */
    int[] byteColumns() {
        return byteColumns;
    }

    void columnsFromBytes() {
        for (int x = 0, i = 0; x < width; x++, i += 3) {
            columns[x] = byteColumns[i] + byteColumns[i + 1] + byteColumns[i + 2];
        }
    }

    /**
     * Column sums in 16-bit lanes, word {@code g} of a row ({@link ReferenceGrid}'s eight-byte
     * pass): lane {@code k} of {@code evenWords()[g]} adds to byte column {@code 8g + 2k}, of
     * {@code oddWords()[g]} to {@code 8g + 2k + 1}.
     */
    long[] evenWords() {
        return evenWords;
    }

    long[] oddWords() {
        return oddWords;
    }

    /**
     * Adds the lanes of {@link #evenWords} and {@link #oddWords} to the byte columns, clears them.
     */
    void addWordColumns() {
        for (int g = 0; g < evenWords.length; g++) {
            long e = evenWords[g];
            long o = oddWords[g];
            int b = g * 8;
            for (int k = 0; k < 4 && b + 2 * k < byteColumns.length; k++) {
                byteColumns[b + 2 * k] += (int) ((e >>> (16 * k)) & 0xFFFF);
                if (b + 2 * k + 1 < byteColumns.length) {
                    byteColumns[b + 2 * k + 1] += (int) ((o >>> (16 * k)) & 0xFFFF);
                }
            }
        }
        Arrays.fill(evenWords, 0);
        Arrays.fill(oddWords, 0);
    }
}
