package dev.deltatok.core;

import dev.deltatok.schema.Frame;
import dev.deltatok.state.CameraState;
import java.util.Objects;

/**
 * One frame and the state of its camera, as handed to {@link TokenizerCore#process}. Frames of one
 * camera in a batch must share one state object.
 *
 * @param budgetScale fraction of the full budget to spend on this frame, (0, 1]: the token cap is
 *     scaled by it, the error budget and keyframe error bound divided by it, and a delta encodes
 *     only that fraction of its changed patches (the most changed ones)
 * @param skippedFrames frames of this camera skipped under overload since its last delta, carried
 *     in this frame's delta stats
 */
public record CameraFrame(Frame frame, CameraState state, double budgetScale, int skippedFrames) {

    /** A frame at full budget, nothing skipped before it. */
    public CameraFrame(Frame frame, CameraState state) {
        this(frame, state, 1.0, 0);
    }

    public CameraFrame {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(state, "state");
        if (!(budgetScale > 0 && budgetScale <= 1)) {
            throw new IllegalArgumentException("budgetScale must be in (0, 1], got " + budgetScale);
        }
        if (skippedFrames < 0) {
            throw new IllegalArgumentException("skippedFrames must be >= 0, got " + skippedFrames);
        }
        if (!state.cameraId().equals(frame.getCameraId())) {
            throw new IllegalArgumentException(
                    "frame of camera '"
                            + frame.getCameraId()
                            + "' given the state of '"
                            + state.cameraId()
                            + "'");
        }
    }

    public String cameraId() {
        return state.cameraId();
    }
}
