package dev.deltatok.overload;

/**
 * A frame's age: processing time minus its capture time. A capture time after the Kafka timestamp
 * of its record, or after now, means the producer's clock runs ahead; then the age is taken from
 * the Kafka timestamp instead (the broker's or the producer client's clock, set when it was sent).
 */
public final class FrameAge {

    /** No Kafka timestamp is known for the record. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    private FrameAge() {}

    /**
     * @param nowMs processing time, epoch milliseconds
     * @param captureMs the frame's capture time, epoch milliseconds
     * @param kafkaTimestampMs the record's Kafka timestamp, or {@link #NO_TIMESTAMP}
     * @return the age in milliseconds, never negative
     */
    public static long millis(long nowMs, long captureMs, long kafkaTimestampMs) {
        boolean suspect =
                captureMs > nowMs
                        || (kafkaTimestampMs != NO_TIMESTAMP && captureMs > kafkaTimestampMs);
        long from = suspect && kafkaTimestampMs != NO_TIMESTAMP ? kafkaTimestampMs : captureMs;
        return Math.max(0, nowMs - from);
    }
}
