package dev.deltatok.core;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link TokenizerCore#process}: one {@link FrameOutcome} per input frame, in input
 * order, and what the encoder did for them.
 *
 * @param encodedPatches patches that went through the encoder, over all calls
 * @param encoderCalls encoder calls (one per round; a camera with several frames takes several)
 * @param encodeNanos time spent in the encoder
 * @param unreportedSkips per camera, skipped frames no delta of this batch could report because the
 *     frames that carried them were rejected; the caller hands them to the camera's next frame
 */
public record BatchResult(
        List<FrameOutcome> outcomes,
        int encodedPatches,
        int encoderCalls,
        long encodeNanos,
        Map<String, Integer> unreportedSkips) {

    public FrameOutcome outcome(int index) {
        return outcomes.get(index);
    }
}
