package dev.deltatok.frame;

import java.util.Arrays;

/**
 * An 8-bit RGB image, pixels interleaved {@code R, G, B} in row-major order without padding. The
 * byte array is owned by the image; callers must not modify it after construction.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] rgb;

    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(
                    "expected "
                            + (width * height * 3)
                            + " bytes for "
                            + width
                            + "x"
                            + height
                            + " RGB, got "
                            + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * Builds an image from planar floats in [0, 1] laid out as patches {@code [N, 3, P, P]} in
     * row-major grid order (the model decoder's output for a whole grid).
     */
    public static RgbImage fromPatches(float[] patches, int patchSize, int gridRows, int gridCols) {
        int width = gridCols * patchSize;
        int height = gridRows * patchSize;
        byte[] out = new byte[width * height * 3];
        int plane = patchSize * patchSize;
        for (int r = 0; r < gridRows; r++) {
            for (int c = 0; c < gridCols; c++) {
                int base = (r * gridCols + c) * 3 * plane;
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < patchSize; y++) {
                        int src = base + ch * plane + y * patchSize;
                        int dst = ((r * patchSize + y) * width + c * patchSize) * 3 + ch;
                        for (int x = 0; x < patchSize; x++) {
                            out[dst + 3 * x] = toByte(patches[src + x]);
                        }
                    }
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    /** Builds an image from planar floats in [0, 1] laid out {@code [3, height, width]}. */
    public static RgbImage fromPlanes(float[] planes, int width, int height) {
        int plane = width * height;
        if (planes.length != 3 * plane) {
            throw new IllegalArgumentException(
                    "expected " + 3 * plane + " planar values, got " + planes.length);
        }
        byte[] out = new byte[3 * plane];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < plane; i++) {
                out[3 * i + ch] = toByte(planes[ch * plane + i]);
            }
        }
        return new RgbImage(width, height, out);
    }

    private static byte toByte(float v) {
        int i = Math.round(v * 255f);
        return (byte) (i < 0 ? 0 : i > 255 ? 255 : i);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The interleaved RGB bytes (a live view, do not modify). */
    public byte[] data() {
        return rgb;
    }

    /** Channel value 0..255 at (x, y); channel 0 = R, 1 = G, 2 = B. */
    public int get(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /**
     * Copies the patch at grid position (row, col) into {@code out} at {@code offset} as floats in
     * [0, 1], layout {@code [3, P, P]}.
     */
    public void copyPatch(int row, int col, int patchSize, float[] out, int offset) {
        int plane = patchSize * patchSize;
        for (int y = 0; y < patchSize; y++) {
            int src = ((row * patchSize + y) * width + col * patchSize) * 3;
            int dst = offset + y * patchSize;
            for (int x = 0; x < patchSize; x++) {
                int s = src + 3 * x;
                out[dst + x] = (rgb[s] & 0xFF) * (1f / 255f);
                out[dst + plane + x] = (rgb[s + 1] & 0xFF) * (1f / 255f);
                out[dst + 2 * plane + x] = (rgb[s + 2] & 0xFF) * (1f / 255f);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && width == other.width
                && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
