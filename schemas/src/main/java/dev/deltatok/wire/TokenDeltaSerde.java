package dev.deltatok.wire;

import dev.deltatok.schema.TokenDelta;

/** Kafka serde for {@link TokenDelta} values in Avro single-object encoding. */
public final class TokenDeltaSerde extends AvroSerde<TokenDelta> {
    public TokenDeltaSerde() {
        super(TokenDelta.class);
    }
}
