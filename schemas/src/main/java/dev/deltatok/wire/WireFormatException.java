package dev.deltatok.wire;

/**
 * A record value that is not a valid Avro single-object encoding of the expected type. The {@link
 * Problem} says which check failed; the message names what was expected.
 */
public final class WireFormatException extends RuntimeException {

    /** Which part of the single-object encoding was wrong. */
    public enum Problem {
        EMPTY,
        BAD_MARKER,
        UNKNOWN_FINGERPRINT,
        TRUNCATED,
        CORRUPT
    }

    private final Problem problem;

    public WireFormatException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
