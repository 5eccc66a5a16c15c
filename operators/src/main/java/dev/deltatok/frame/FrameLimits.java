package dev.deltatok.frame;

/**
 * Upper bounds on what a frame may declare or carry; anything above is rejected as {@code
 * TOO_LARGE} before pixels are decoded.
 *
 * @param maxWidth largest accepted width in pixels
 * @param maxHeight largest accepted height in pixels
 * @param maxPixels largest accepted width x height
 * @param maxPayloadBytes largest accepted {@code Frame.data} size
 */
public record FrameLimits(int maxWidth, int maxHeight, long maxPixels, int maxPayloadBytes)
        implements java.io.Serializable {

    public static final int DEFAULT_MAX_SIDE = 8192;

    /** 7680 x 4320 (8K UHD). */
    public static final long DEFAULT_MAX_PIXELS = 33_177_600L;

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

    public FrameLimits {
        if (maxWidth < 1) {
            throw new IllegalArgumentException("maxWidth must be >= 1, got " + maxWidth);
        }
        if (maxHeight < 1) {
            throw new IllegalArgumentException("maxHeight must be >= 1, got " + maxHeight);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException(
                    "maxPayloadBytes must be >= 1, got " + maxPayloadBytes);
        }
    }

    public static FrameLimits defaults() {
        return new FrameLimits(
                DEFAULT_MAX_SIDE, DEFAULT_MAX_SIDE, DEFAULT_MAX_PIXELS, DEFAULT_MAX_PAYLOAD_BYTES);
    }
}
