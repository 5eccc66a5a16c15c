package dev.deltatok.eval;

import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.schema.Frame;

/** {@code frames} frames of a built-in scene as RGB24 {@link Frame}s, seq 0, 1, 2, ... */
public final class SyntheticFrameSource implements FrameSource {

    private final SyntheticScene scene;
    private final String cameraId;
    private final long frames;
    private long seq;

    public SyntheticFrameSource(SyntheticScene scene, String cameraId, long frames) {
        if (frames < 0) {
            throw new IllegalArgumentException("frames must be >= 0, got " + frames);
        }
        this.scene = scene;
        this.cameraId = cameraId;
        this.frames = frames;
    }

    @Override
    public Frame next() {
        return seq < frames ? scene.frame(cameraId, seq++) : null;
    }

    @Override
    public String describe() {
        return scene.toString();
    }

    @Override
    public void close() {}
}
