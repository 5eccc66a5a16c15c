package dev.deltatok.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FrameSource} must have: a finite, gap-free run of one camera's frames
 * from seq 0, each a picture of its declared size, the same on every reading of the same input.
 * Subclass it for each implementation with a fixed input of {@link #expectedFrames()} frames.
 */
public abstract class FrameSourceContractTest {

    protected static final String CAMERA = "cam-contract";

    /** A fresh source over the fixed input, for camera {@code cameraId}. */
    protected abstract FrameSource open(String cameraId) throws IOException;

    /** How many frames the fixed input holds. */
    protected abstract int expectedFrames();

    @Test
    void yieldsEveryFrameOnceWithGapFreeSeqsFromZero() throws Exception {
        List<Frame> frames = readAll(CAMERA);

        assertThat(frames).hasSize(expectedFrames());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).getSeq()).isEqualTo(i);
            assertThat(frames.get(i).getCameraId().toString()).isEqualTo(CAMERA);
        }
    }

    @Test
    void eachFrameIsAPictureOfItsDeclaredSize() throws Exception {
        for (Frame frame : readAll(CAMERA)) {
            assertThat(frame.getWidth()).isPositive();
            assertThat(frame.getHeight()).isPositive();
            byte[] data = bytes(frame.getData());
            if (frame.getFormat() == PixelFormat.RGB24) {
                assertThat(data).hasSize(frame.getWidth() * frame.getHeight() * 3);
            } else {
                assertThat(frame.getFormat()).isIn(PixelFormat.JPEG, PixelFormat.PNG);
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
                assertThat(image).as("frame %d decodes", frame.getSeq()).isNotNull();
                assertThat(image.getWidth()).isEqualTo(frame.getWidth());
                assertThat(image.getHeight()).isEqualTo(frame.getHeight());
            }
        }
    }

    @Test
    void captureTimesMoveForward() throws Exception {
        List<Frame> frames = readAll(CAMERA);
        for (int i = 1; i < frames.size(); i++) {
            assertThat(frames.get(i).getCaptureTime()).isAfter(frames.get(i - 1).getCaptureTime());
        }
    }

    @Test
    void staysEndedAfterTheLastFrame() throws Exception {
        try (FrameSource source = open(CAMERA)) {
            for (int i = 0; i < expectedFrames(); i++) {
                assertThat(source.next()).as("frame %d", i).isNotNull();
            }
            assertThat(source.next()).isNull();
            assertThat(source.next()).isNull();
        }
    }

    @Test
    void readingTheSameInputAgainGivesTheSameFrames() throws Exception {
        List<Frame> first = readAll(CAMERA);
        List<Frame> second = readAll(CAMERA);

        assertThat(second).hasSameSizeAs(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(bytes(second.get(i).getData())).isEqualTo(bytes(first.get(i).getData()));
            assertThat(second.get(i).getCaptureTime()).isEqualTo(first.get(i).getCaptureTime());
            assertThat(second.get(i).getFormat()).isEqualTo(first.get(i).getFormat());
        }
    }

    @Test
    void describesWhatItReads() throws Exception {
        try (FrameSource source = open(CAMERA)) {
            assertThat(source.describe()).isNotBlank();
        }
    }

    @Test
    void closesBeforeTheEndAndTwice() throws Exception {
        FrameSource source = open(CAMERA);
        assertThat(source.next()).isNotNull();

        source.close();
        source.close();
    }

    private List<Frame> readAll(String cameraId) throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (FrameSource source = open(cameraId)) {
            Frame frame;
            while ((frame = source.next()) != null) {
                frames.add(frame);
                assertThat(frames.size())
                        .as("frames read; the source does not end")
                        .isLessThanOrEqualTo(expectedFrames() + 1);
            }
        }
        return frames;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
