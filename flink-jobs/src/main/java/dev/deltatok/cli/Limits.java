package dev.deltatok.cli;

import java.util.Locale;

/** The bounds every command checks its options against, declared once so that they agree. */
final class Limits {

    /** Most cameras one command publishes ({@code produce}, {@code demo}, {@code bench}). */
    static final int MAX_CAMERAS = 10_000;

    /** Highest paced frame rate per camera. */
    static final double MAX_FPS = 10_000;

    /** Smallest and largest side of a published frame, in pixels. */
    static final int MIN_SIDE = 16;

    static final int MAX_SIDE = 8192;

    private Limits() {}

    /**
     * @throws IllegalArgumentException unless {@code cameras} is in [1, {@link #MAX_CAMERAS}]
     */
    static void checkCameras(int cameras) {
        if (cameras < 1 || cameras > MAX_CAMERAS) {
            throw new IllegalArgumentException(
                    "--cameras must be in [1, " + MAX_CAMERAS + "], got " + cameras);
        }
    }

    /**
     * @throws IllegalArgumentException unless {@code fps} is in (0, {@link #MAX_FPS}]
     */
    static void checkFps(double fps) {
        if (!(fps > 0 && fps <= MAX_FPS)) {
            throw new IllegalArgumentException(
                    "--fps must be in (0, " + (int) MAX_FPS + "], got " + fps);
        }
    }

    /**
     * Parses {@code WxH}.
     *
     * @return {width, height}
     * @throws IllegalArgumentException unless both sides are in [{@link #MIN_SIDE}, {@link
     *     #MAX_SIDE}]
     */
    static int[] parseSize(String size) {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0].trim());
                int h = Integer.parseInt(parts[1].trim());
                if (w >= MIN_SIDE && h >= MIN_SIDE && w <= MAX_SIDE && h <= MAX_SIDE) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(
                "--size must be WxH with sides in ["
                        + MIN_SIDE
                        + ", "
                        + MAX_SIDE
                        + "], e.g. 640x480; got '"
                        + size
                        + "'");
    }
}
