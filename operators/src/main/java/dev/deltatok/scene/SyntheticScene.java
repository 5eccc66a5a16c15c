package dev.deltatok.scene;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One seeded, built-in scene: {@link #render(long)} gives the RGB24 pixels of frame {@code seq}, a
 * pure function of (name, seed, size, seq). Instances cache their backgrounds and are safe to share
 * between threads.
 */
public final class SyntheticScene {

    /** Capture time of frame 0; frames follow at {@link #FRAME_INTERVAL}. */
    public static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

    public static final Duration FRAME_INTERVAL = Duration.ofMillis(40);

    private final String name;
    private final long seed;
    private final int width;
    private final int height;
    private final Renderer renderer;

    SyntheticScene(String name, long seed, int width, int height, Renderer renderer) {
        this.name = name;
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.renderer = renderer;
    }

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Interleaved RGB bytes of frame {@code seq} (a new array). */
    public byte[] render(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, got " + seq);
        }
        return renderer.render(seq);
    }

    /** Frame {@code seq} as an RGB24 {@link Frame}, captured at {@code EPOCH + seq * 40 ms}. */
    public Frame frame(String cameraId, long seq) {
        return Frame.newBuilder()
                .setCameraId(cameraId)
                .setSeq(seq)
                .setCaptureTime(EPOCH.plus(FRAME_INTERVAL.multipliedBy(seq)))
                .setWidth(width)
                .setHeight(height)
                .setFormat(PixelFormat.RGB24)
                .setData(ByteBuffer.wrap(render(seq)))
                .setAttributes(Map.of("source", "synthetic:" + name))
                .build();
    }

    @Override
    public String toString() {
        return "synthetic:" + name + "[seed=" + seed + ", " + width + "x" + height + "]";
    }

    interface Renderer {
        byte[] render(long seq);
    }
}
