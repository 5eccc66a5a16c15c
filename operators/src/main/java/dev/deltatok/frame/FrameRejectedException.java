package dev.deltatok.frame;

import dev.deltatok.schema.RejectReason;

/**
 * A frame that cannot be tokenized; bad input is data, so callers turn this into a {@code
 * RejectedFrame} with the reason and detail rather than failing.
 */
public final class FrameRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final String detail;

    public FrameRejectedException(RejectReason reason, String detail) {
        this(reason, detail, null);
    }

    public FrameRejectedException(RejectReason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
        this.detail = detail;
    }

    public RejectReason reason() {
        return reason;
    }

    /** Human-readable explanation naming the offending value and what was expected. */
    public String detail() {
        return detail;
    }
}
