package dev.deltatok.core;

import dev.deltatok.schema.RejectReason;
import dev.deltatok.schema.TokenDelta;
import java.util.Objects;

/** What became of one frame: the delta it produced, or why it was rejected. */
public final class FrameOutcome {

    private final TokenDelta delta;
    private final RejectReason rejectReason;
    private final String detail;

    private FrameOutcome(TokenDelta delta, RejectReason rejectReason, String detail) {
        this.delta = delta;
        this.rejectReason = rejectReason;
        this.detail = detail;
    }

    public static FrameOutcome delta(TokenDelta delta) {
        return new FrameOutcome(Objects.requireNonNull(delta, "delta"), null, null);
    }

    public static FrameOutcome rejected(RejectReason reason, String detail) {
        return new FrameOutcome(null, Objects.requireNonNull(reason, "reason"), detail);
    }

    public boolean isRejected() {
        return delta == null;
    }

    /** The delta; throws for a rejected frame. */
    public TokenDelta delta() {
        if (delta == null) {
            throw new IllegalStateException("frame was rejected: " + rejectReason + ": " + detail);
        }
        return delta;
    }

    /** Why the frame was rejected, null when it was not. */
    public RejectReason rejectReason() {
        return rejectReason;
    }

    /** A sentence saying what was wrong with the frame, null when it was not rejected. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return delta != null
                ? "FrameOutcome[" + delta.getCameraId() + " delta " + delta.getDeltaSeq() + "]"
                : "FrameOutcome[rejected " + rejectReason + ": " + detail + "]";
    }
}
