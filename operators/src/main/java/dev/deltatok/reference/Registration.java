package dev.deltatok.reference;

import dev.deltatok.frame.RgbImage;

/**
 * A frame in the key map's coordinates: the picture that, shown at a pixel offset ({@link
 * PictureMotion}), gives the frame. Pixel {@code (u, v)} of the result is the frame's pixel {@code
 * (u + offsetX, v + offsetY)}, clamped to the frame's edge where that lies outside it (pixels a
 * consumer never shows at that offset). Stateless.
 */
public final class Registration {

    private Registration() {}

    /** The frame itself at offset (0, 0); otherwise a new image. */
    public static RgbImage align(RgbImage frame, int offsetX, int offsetY) {
        if (offsetX == 0 && offsetY == 0) {
            return frame;
        }
        int w = frame.width();
        int h = frame.height();
        byte[] in = frame.data();
        byte[] out = new byte[in.length];
        int rowBytes = w * 3;
        for (int v = 0; v < h; v++) {
            int sy = Math.max(0, Math.min(h - 1, v + offsetY));
            int src = sy * rowBytes;
            int dst = v * rowBytes;
            // Columns u with 0 <= u + offsetX < w copy in one run; the rest repeat an edge pixel.
            int first = Math.min(w, Math.max(0, -offsetX));
            int end = Math.min(w, w - offsetX);
            for (int u = 0; u < first; u++) {
                System.arraycopy(in, src, out, dst + u * 3, 3);
            }
            if (end > first) {
                System.arraycopy(
                        in, src + (first + offsetX) * 3, out, dst + first * 3, (end - first) * 3);
            }
            for (int u = Math.max(end, first); u < w; u++) {
                System.arraycopy(in, src + (w - 1) * 3, out, dst + u * 3, 3);
            }
        }
        return new RgbImage(w, h, out);
    }

    /**
     * The picture a consumer shows: the decoded grid moved by the offset, each displayed pixel
     * {@code (x, y)} taken from the grid's {@code (x - offsetX, y - offsetY)}, clamped to the grid.
     */
    public static RgbImage show(RgbImage grid, int offsetX, int offsetY) {
        return align(grid, -offsetX, -offsetY);
    }
}
