package dev.deltatok.wire;

import dev.deltatok.schema.Frame;

/** Kafka serde for {@link Frame} values in Avro single-object encoding. */
public final class FrameSerde extends AvroSerde<Frame> {
    public FrameSerde() {
        super(Frame.class);
    }
}
