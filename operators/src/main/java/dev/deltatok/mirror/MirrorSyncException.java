package dev.deltatok.mirror;

/**
 * A delta the mirror cannot apply: a gap, a duplicate, a reordering, a delta before any keyframe,
 * or a delta whose contents do not fit what is held. After a gap or a corrupt delta the camera
 * waits for the next KEYFRAME; a duplicate or stale delta is refused without losing sync.
 */
public final class MirrorSyncException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Problem {
        /** deltaSeq skipped ahead: at least one delta was lost. */
        GAP,
        /** deltaSeq equal to the last applied one. */
        DUPLICATE,
        /** deltaSeq below the last applied one (out of order). */
        REORDERED,
        /** A DELTA while no keyframe has been applied since the start or the last gap. */
        NOT_SYNCED,
        /** Contents that contradict what is held (unknown slot, bad key map, other camera). */
        CORRUPT
    }

    private final Problem problem;
    private final String cameraId;
    private final long expectedSeq;
    private final long actualSeq;

    public MirrorSyncException(
            Problem problem, String cameraId, long expectedSeq, long actualSeq, String message) {
        super(message);
        this.problem = problem;
        this.cameraId = cameraId;
        this.expectedSeq = expectedSeq;
        this.actualSeq = actualSeq;
    }

    public Problem problem() {
        return problem;
    }

    public String cameraId() {
        return cameraId;
    }

    /** The deltaSeq the mirror expected next, -1 when it waits for a keyframe. */
    public long expectedSeq() {
        return expectedSeq;
    }

    public long actualSeq() {
        return actualSeq;
    }
}
