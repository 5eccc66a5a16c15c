package dev.deltatok.core;

import dev.deltatok.schema.Frame;
import dev.deltatok.state.CameraState;
import java.util.Objects;

/**
 * One frame and the state of its camera, as handed to {@link TokenizerCore#process}. Frames of one
 * camera in a batch must share one state object.
 */
public record CameraFrame(Frame frame, CameraState state) {

    public CameraFrame {
        Objects.requireNonNull(frame, "frame");
        Objects.requireNonNull(state, "state");
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
