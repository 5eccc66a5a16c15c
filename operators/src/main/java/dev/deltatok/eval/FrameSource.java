package dev.deltatok.eval;

import dev.deltatok.schema.Frame;
import java.io.IOException;

/** A finite sequence of frames for one camera (synthetic scene, image folder, video file). */
public interface FrameSource extends AutoCloseable {

    /** The next frame, or null at the end. */
    Frame next() throws IOException;

    /** What this source reads, for reports. */
    String describe();

    @Override
    void close() throws IOException;
}
