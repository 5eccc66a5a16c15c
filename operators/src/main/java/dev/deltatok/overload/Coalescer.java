package dev.deltatok.overload;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks, of the frames waiting in a batch, the newest of each camera; the others are skipped. The
 * newest is the one with the highest frame seq (the last to arrive among equals), so no frame older
 * than a camera's newest is tokenized after it.
 */
public final class Coalescer {

    private Coalescer() {}

    /** A waiting frame as the coalescer sees it. */
    public record Waiting(String cameraId, long seq) {}

    /**
     * @return per frame, in list order, whether it is skipped
     */
    public static boolean[] skipped(List<Waiting> frames) {
        Map<String, Integer> newest = new HashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            Waiting w = frames.get(i);
            Integer best = newest.get(w.cameraId());
            if (best == null || frames.get(best).seq() <= w.seq()) {
                newest.put(w.cameraId(), i);
            }
        }
        boolean[] skip = new boolean[frames.size()];
        for (int i = 0; i < skip.length; i++) {
            skip[i] = newest.get(frames.get(i).cameraId()) != i;
        }
        return skip;
    }
}
