package dev.deltatok.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A frame record as it came off the frames topic, not yet decoded: decoding happens in {@link
 * FrameDecodeFunction} so that a malformed value becomes a rejection instead of a source failure. A
 * Flink POJO (public fields, no-arg constructor), serialised without Kryo.
 */
public final class RawFrameRecord {
    /** Record key as UTF-8 (the camera id), or null. */
    public String key;

    /** Record value bytes, or null for a tombstone. */
    public byte[] value;

    public String topic;
    public int partition;
    public long offset;

    /** Kafka record timestamp in epoch milliseconds. */
    public long timestamp;

    public RawFrameRecord() {}

    public RawFrameRecord(
            String key, byte[] value, String topic, int partition, long offset, long timestamp) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawFrameRecord)) {
            return false;
        }
        RawFrameRecord that = (RawFrameRecord) o;
        return partition == that.partition
                && offset == that.offset
                && timestamp == that.timestamp
                && Objects.equals(key, that.key)
                && Arrays.equals(value, that.value)
                && Objects.equals(topic, that.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset + " key=" + key;
    }
}
