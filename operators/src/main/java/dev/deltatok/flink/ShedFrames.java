package dev.deltatok.flink;

import dev.deltatok.schema.Frame;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A frame shed where it entered the job travels on to the tokenizer as a marker: the frame's header
 * without its pixels, so that the camera's next delta counts it as skipped.
 */
public final class ShedFrames {

    /** Attribute that marks a shed frame. */
    public static final String ATTRIBUTE = "deltatok.shed";

    private static final ByteBuffer NO_PIXELS = ByteBuffer.allocate(0);

    private ShedFrames() {}

    /** The marker of {@code frame}: its header and attributes, no pixels. */
    public static Frame marker(Frame frame) {
        Map<String, String> attributes = new HashMap<>(frame.getAttributes());
        attributes.put(ATTRIBUTE, "true");
        return Frame.newBuilder(frame)
                .setData(NO_PIXELS.duplicate())
                .setAttributes(attributes)
                .build();
    }

    /** Whether {@code frame} is the marker of a shed frame. */
    public static boolean isMarker(Frame frame) {
        return frame.getAttributes().containsKey(ATTRIBUTE);
    }
}
