package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Pixel-space change detection against a camera's reference, on block means: an image is reduced to
 * the means of {@code block x block} pixel blocks (averaging also damps sensor noise by the block
 * side), and each model patch is compared block by block. Stateless.
 */
public final class ReferenceGrid {

    private static final VarHandle WORDS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Bytes 0, 2, 4 and 6 of a little-endian word, each in a 16-bit lane. */
    private static final long EVEN_BYTES = 0x00FF00FF00FF00FFL;

    private final int patchSize;
    private final int block;
    private final int gridRows;
    private final int gridCols;
    private final int width;
    private final int height;

    public ReferenceGrid(int patchSize, int block, int gridRows, int gridCols) {
        if (patchSize % block != 0) {
            throw new IllegalArgumentException(
                    "block " + block + " must divide the patch size " + patchSize);
        }
        this.patchSize = patchSize;
        this.block = block;
        this.gridRows = gridRows;
        this.gridCols = gridCols;
        this.width = gridCols * patchSize / block;
        this.height = gridRows * patchSize / block;
    }

    /** Interleaved RGB block means (rounded) of an image at model resolution. */
    public byte[] blockMeans(RgbImage image) {
        checkSize(image);
        byte[] rgb = image.data();
        if (block == 1) {
            return rgb.clone();
        }
        if (block == 4) {
            return wordsFit(image.width(), false)
                    ? blockMeans4Words(rgb, image.width(), null)
                    : blockMeans4(rgb, image.width());
        }
        int imageWidth = image.width();
        int[] sums = new int[width * 3];
        byte[] out = new byte[width * height * 3];
        int area = block * block;
        int half = area / 2;
        for (int by = 0; by < height; by++) {
            java.util.Arrays.fill(sums, 0);
            for (int y = by * block; y < (by + 1) * block; y++) {
                int row = y * imageWidth * 3;
                for (int bx = 0; bx < width; bx++) {
                    int s = row + bx * block * 3;
                    int r = 0;
                    int g = 0;
                    int b = 0;
                    for (int x = 0; x < block; x++) {
                        r += rgb[s] & 0xFF;
                        g += rgb[s + 1] & 0xFF;
                        b += rgb[s + 2] & 0xFF;
                        s += 3;
                    }
                    sums[bx * 3] += r;
                    sums[bx * 3 + 1] += g;
                    sums[bx * 3 + 2] += b;
                }
            }
            int o = by * width * 3;
            for (int i = 0; i < width * 3; i++) {
                out[o + i] = (byte) ((sums[i] + half) / area);
            }
        }
        return out;
    }

    /**
     * {@link #blockMeans(RgbImage)}, and the image's {@link Projections} into {@code projections}:
     * for the default block of 4 both come from one pass over the pixels.
     */
    public byte[] blockMeans(RgbImage image, Projections projections) {
        checkSize(image);
        projections.check(image);
        if (block == 4 && wordsFit(image.width(), true)) {
            return blockMeans4Words(image.data(), image.width(), projections);
        }
        byte[] means = blockMeans(image);
        projections.compute(image);
        return means;
    }

    private void checkSize(RgbImage image) {
        if (image.width() != gridCols * patchSize || image.height() != gridRows * patchSize) {
            throw new IllegalArgumentException(
                    "image "
                            + image
                            + " is not at the model resolution "
                            + gridCols * patchSize
                            + "x"
                            + gridRows * patchSize);
        }
    }

    /**
     * Whether {@link #blockMeans4Words} takes an image this wide: rows of whole 24-byte runs (two
     * blocks, three words), and with projections, row sums that fit the 16-bit lanes (at most 42
     * runs: 42 x 6 x 255 < 65536).
     */
    private static boolean wordsFit(int imageWidth, boolean withProjections) {
        int rowBytes = imageWidth * 3;
        return rowBytes % 24 == 0 && (!withProjections || rowBytes / 24 <= 42);
    }

    private static long even(long word) {
        return word & EVEN_BYTES;
    }

    private static long odd(long word) {
        return (word >>> 8) & EVEN_BYTES;
    }

    /** The sum of a word's four 16-bit lanes. */
    private static int lanes(long s) {
        return (int) ((s & 0xFFFF) + ((s >>> 16) & 0xFFFF) + ((s >>> 32) & 0xFFFF) + (s >>> 48));
    }

    /**
     * {@link #blockMeans4} eight bytes at a time: a word of each of a block row's four pixel rows
     * is split into its even and odd bytes, each in a 16-bit lane, and the four rows add lane by
     * lane, so every byte column of the block row is summed by one add per four columns. Two blocks
     * (24 bytes, three words) at a time, each block mean taken from the lanes that hold its bytes.
     * With {@code projections}, the same words give every row's sum and, through lanes added over
     * at most 64 block rows (64 x 4 x 255 < 65536), every column's. Same bytes as {@link
     * #blockMeans4}.
     */
    private byte[] blockMeans4Words(byte[] rgb, int imageWidth, Projections projections) {
        int rowBytes = imageWidth * 3;
        byte[] out = new byte[width * height * 3];
        long[] evenColumns = projections == null ? null : projections.evenWords();
        long[] oddColumns = projections == null ? null : projections.oddWords();
        if (projections != null) {
            Arrays.fill(projections.byteColumns(), 0);
            Arrays.fill(evenColumns, 0);
            Arrays.fill(oddColumns, 0);
        }
        int o = 0;
        for (int by = 0; by < height; by++) {
            int r0 = by * 4 * rowBytes;
            int r1 = r0 + rowBytes;
            int r2 = r1 + rowBytes;
            int r3 = r2 + rowBytes;
            long s0 = 0;
            long s1 = 0;
            long s2 = 0;
            long s3 = 0;
            for (int t = 0, g = 0; t < rowBytes; t += 24, g += 3) {
                long a0 = (long) WORDS.get(rgb, r0 + t);
                long a1 = (long) WORDS.get(rgb, r0 + t + 8);
                long a2 = (long) WORDS.get(rgb, r0 + t + 16);
                long b0 = (long) WORDS.get(rgb, r1 + t);
                long b1 = (long) WORDS.get(rgb, r1 + t + 8);
                long b2 = (long) WORDS.get(rgb, r1 + t + 16);
                long c0 = (long) WORDS.get(rgb, r2 + t);
                long c1 = (long) WORDS.get(rgb, r2 + t + 8);
                long c2 = (long) WORDS.get(rgb, r2 + t + 16);
                long d0 = (long) WORDS.get(rgb, r3 + t);
                long d1 = (long) WORDS.get(rgb, r3 + t + 8);
                long d2 = (long) WORDS.get(rgb, r3 + t + 16);
                // Lane k of eN / oN: the block row's sum of byte 2k / 2k + 1 of word N.
                long e0 = even(a0) + even(b0) + even(c0) + even(d0);
                long e1 = even(a1) + even(b1) + even(c1) + even(d1);
                long e2 = even(a2) + even(b2) + even(c2) + even(d2);
                long o0 = odd(a0) + odd(b0) + odd(c0) + odd(d0);
                long o1 = odd(a1) + odd(b1) + odd(c1) + odd(d1);
                long o2 = odd(a2) + odd(b2) + odd(c2) + odd(d2);
                if (projections != null) {
                    s0 += even(a0) + odd(a0) + even(a1) + odd(a1) + even(a2) + odd(a2);
                    s1 += even(b0) + odd(b0) + even(b1) + odd(b1) + even(b2) + odd(b2);
                    s2 += even(c0) + odd(c0) + even(c1) + odd(c1) + even(c2) + odd(c2);
                    s3 += even(d0) + odd(d0) + even(d1) + odd(d1) + even(d2) + odd(d2);
                    evenColumns[g] += e0;
                    evenColumns[g + 1] += e1;
                    evenColumns[g + 2] += e2;
                    oddColumns[g] += o0;
                    oddColumns[g + 1] += o1;
                    oddColumns[g + 2] += o2;
                }
                // Block 1: bytes 0-11 (R at 0, 3, 6, 9; G at 1, 4, 7, 10; B at 2, 5, 8, 11),
                // block 2: bytes 12-23; byte j is in word j / 8, lane (j % 8) / 2 of e or o.
                out[o++] =
                        (byte)
                                (((int) (e0 & 0xFFFF)
                                                + (int) ((o0 >>> 16) & 0xFFFF)
                                                + (int) (e0 >>> 48)
                                                + (int) (o1 & 0xFFFF)
                                                + 8)
                                        >> 4);
                out[o++] =
                        (byte)
                                (((int) (o0 & 0xFFFF)
                                                + (int) ((e0 >>> 32) & 0xFFFF)
                                                + (int) (o0 >>> 48)
                                                + (int) ((e1 >>> 16) & 0xFFFF)
                                                + 8)
                                        >> 4);
                out[o++] =
                        (byte)
                                (((int) ((e0 >>> 16) & 0xFFFF)
                                                + (int) ((o0 >>> 32) & 0xFFFF)
                                                + (int) (e1 & 0xFFFF)
                                                + (int) ((o1 >>> 16) & 0xFFFF)
                                                + 8)
                                        >> 4);
                out[o++] =
                        (byte)
                                (((int) ((e1 >>> 32) & 0xFFFF)
                                                + (int) (o1 >>> 48)
                                                + (int) ((e2 >>> 16) & 0xFFFF)
                                                + (int) ((o2 >>> 32) & 0xFFFF)
                                                + 8)
                                        >> 4);
                out[o++] =
                        (byte)
                                (((int) ((o1 >>> 32) & 0xFFFF)
                                                + (int) (e2 & 0xFFFF)
                                                + (int) ((o2 >>> 16) & 0xFFFF)
                                                + (int) (e2 >>> 48)
                                                + 8)
                                        >> 4);
                out[o++] =
                        (byte)
                                (((int) (e1 >>> 48)
                                                + (int) (o2 & 0xFFFF)
                                                + (int) ((e2 >>> 32) & 0xFFFF)
                                                + (int) (o2 >>> 48)
                                                + 8)
                                        >> 4);
            }
            if (projections != null) {
                int[] rows = projections.rows;
                int y = by * 4;
                rows[y] = lanes(s0);
                rows[y + 1] = lanes(s1);
                rows[y + 2] = lanes(s2);
                rows[y + 3] = lanes(s3);
                if (by % 64 == 63) {
                    projections.addWordColumns();
                }
            }
        }
        if (projections != null) {
            projections.addWordColumns();
            projections.columnsFromBytes();
        }
        return out;
    }

    /**
     * {@link #blockMeans} for the default block of 4, unrolled: 4x4 pixels per block, {@code (sum +
     * 8) >> 4} is the rounded mean. Same bytes, about a third of the time of the general loop.
     */
    private byte[] blockMeans4(byte[] rgb, int imageWidth) {
        int rowBytes = imageWidth * 3;
        byte[] out = new byte[width * height * 3];
        int o = 0;
        for (int by = 0; by < height; by++) {
            int r0 = by * 4 * rowBytes;
            int r1 = r0 + rowBytes;
            int r2 = r1 + rowBytes;
            int r3 = r2 + rowBytes;
            for (int bx = 0; bx < width; bx++) {
                int c = bx * 12;
                for (int ch = 0; ch < 3; ch++) {
                    int a = c + ch;
                    int sum =
                            (rgb[r0 + a] & 0xFF)
                                    + (rgb[r0 + a + 3] & 0xFF)
                                    + (rgb[r0 + a + 6] & 0xFF)
                                    + (rgb[r0 + a + 9] & 0xFF)
                                    + (rgb[r1 + a] & 0xFF)
                                    + (rgb[r1 + a + 3] & 0xFF)
                                    + (rgb[r1 + a + 6] & 0xFF)
                                    + (rgb[r1 + a + 9] & 0xFF)
                                    + (rgb[r2 + a] & 0xFF)
                                    + (rgb[r2 + a + 3] & 0xFF)
                                    + (rgb[r2 + a + 6] & 0xFF)
                                    + (rgb[r2 + a + 9] & 0xFF)
                                    + (rgb[r3 + a] & 0xFF)
                                    + (rgb[r3 + a + 3] & 0xFF)
                                    + (rgb[r3 + a + 6] & 0xFF)
                                    + (rgb[r3 + a + 9] & 0xFF);
                    out[o++] = (byte) ((sum + 8) >> 4);
                }
            }
        }
        return out;
    }

    /**
     * Per grid position, the mean absolute difference (8-bit levels) and the mean squared
     * difference (values scaled to [0, 1]) between two block-mean images.
     */
    public void compare(byte[] current, byte[] reference, float[] mad, float[] msd) {
        compare(current, reference, 0, 0, mad, msd);
    }

    /**
     * {@link #compare} against a reference whose positions move by whole patches first: position
     * {@code (r, c)} of {@code current} is compared with position {@code (r - shiftRows, c -
     * shiftCols)} of {@code reference}, clamped to the grid ({@link PictureMotion#source}).
     */
    public void compare(
            byte[] current,
            byte[] reference,
            int shiftRows,
            int shiftCols,
            float[] mad,
            float[] msd) {
        int per = patchSize / block;
        int values = per * per * 3;
        for (int r = 0; r < gridRows; r++) {
            int sr = Math.max(0, Math.min(gridRows - 1, r - shiftRows));
            for (int c = 0; c < gridCols; c++) {
                int sc = Math.max(0, Math.min(gridCols - 1, c - shiftCols));
                long abs = 0;
                long sq = 0;
                for (int y = 0; y < per; y++) {
                    int o = ((r * per + y) * width + c * per) * 3;
                    int s = ((sr * per + y) * width + sc * per) * 3;
                    // A row of blocks sums in ints (255^2 per value), the patch in longs.
                    int rowAbs = 0;
                    int rowSq = 0;
                    for (int i = 0; i < per * 3; i++) {
                        int d = (current[o + i] & 0xFF) - (reference[s + i] & 0xFF);
                        rowAbs += Math.abs(d);
                        rowSq += d * d;
                    }
                    abs += rowAbs;
                    sq += rowSq;
                }
                int p = r * gridCols + c;
                mad[p] = (float) abs / values;
                msd[p] = (float) (sq / (values * 255.0 * 255.0));
            }
        }
    }

    /**
     * Per grid position, the mean absolute difference (8-bit levels) between two block-mean images.
     */
    public void meanAbsoluteDifference(byte[] current, byte[] other, float[] mad) {
        meanAbsoluteDifference(current, other, 0, 0, mad);
    }

    /** {@link #meanAbsoluteDifference} against {@code other} moved by whole patches first. */
    public void meanAbsoluteDifference(
            byte[] current, byte[] other, int shiftRows, int shiftCols, float[] mad) {
        int per = patchSize / block;
        int values = per * per * 3;
        for (int r = 0; r < gridRows; r++) {
            int sr = Math.max(0, Math.min(gridRows - 1, r - shiftRows));
            for (int c = 0; c < gridCols; c++) {
                int sc = Math.max(0, Math.min(gridCols - 1, c - shiftCols));
                int abs = 0;
                for (int y = 0; y < per; y++) {
                    int o = ((r * per + y) * width + c * per) * 3;
                    int s = ((sr * per + y) * width + sc * per) * 3;
                    for (int i = 0; i < per * 3; i++) {
                        abs += Math.abs((current[o + i] & 0xFF) - (other[s + i] & 0xFF));
                    }
                }
                mad[r * gridCols + c] = (float) abs / values;
            }
        }
    }

    /**
     * A copy of a block-mean image with its grid positions moved by whole patches: position {@code
     * (r, c)} of the result holds position {@code (r - shiftRows, c - shiftCols)} of {@code image},
     * clamped to the grid.
     */
    public byte[] shifted(byte[] image, int shiftRows, int shiftCols) {
        int per = patchSize / block;
        byte[] out = new byte[image.length];
        for (int r = 0; r < gridRows; r++) {
            int sr = Math.max(0, Math.min(gridRows - 1, r - shiftRows));
            for (int c = 0; c < gridCols; c++) {
                int sc = Math.max(0, Math.min(gridCols - 1, c - shiftCols));
                for (int y = 0; y < per; y++) {
                    System.arraycopy(
                            image,
                            ((sr * per + y) * width + sc * per) * 3,
                            out,
                            ((r * per + y) * width + c * per) * 3,
                            per * 3);
                }
            }
        }
        return out;
    }

    /** Copies one grid position's blocks from {@code source} into {@code target}. */
    public void copyPosition(byte[] source, byte[] target, int position) {
        int per = patchSize / block;
        int r = position / gridCols;
        int c = position % gridCols;
        for (int y = 0; y < per; y++) {
            int o = ((r * per + y) * width + c * per) * 3;
            System.arraycopy(source, o, target, o, per * 3);
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
