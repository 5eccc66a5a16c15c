package dev.deltatok.wire;

import dev.deltatok.schema.RejectedFrame;

/** Kafka serde for {@link RejectedFrame} values in Avro single-object encoding. */
public final class RejectedFrameSerde extends AvroSerde<RejectedFrame> {
    public RejectedFrameSerde() {
        super(RejectedFrame.class);
    }
}
