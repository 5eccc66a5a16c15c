package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SourcePicturesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void passesJpegThroughAsItCame() throws Exception {
        SourcePictures sources = new SourcePictures(1 << 20);
        Frame frame = SourceFrames.jpeg("cam", 7, 320, 240);

        sources.accept(frame);

        SourcePictures.Picture picture = sources.picture("cam");
        assertThat(picture.contentType()).isEqualTo("image/jpeg");
        assertThat(picture.seq()).isEqualTo(7);
        assertThat(picture.bytes()).isEqualTo(frame.getData().array());
        BufferedImage image = read(picture.bytes());
        assertThat(image.getWidth()).isEqualTo(320);
        assertThat(image.getHeight()).isEqualTo(240);
    }

    @Test
    void convertsLargeRawFramesToJpegAtMostMaxSideKeepingTheAspect() throws Exception {
        SourcePictures sources = new SourcePictures(8 << 20);
        sources.accept(SourceFrames.raw("cam", 3, 1280, 720));

        SourcePictures.Picture picture = sources.picture("cam");

        assertThat(picture.contentType()).isEqualTo("image/jpeg");
        assertThat(picture.width()).isEqualTo(1280);
        BufferedImage image = read(picture.bytes());
        assertThat(image.getWidth()).isEqualTo(SourcePictures.MAX_SIDE);
        assertThat(image.getHeight()).isEqualTo(360);
        // The converted picture replaces the raw frame in the budget.
        assertThat(sources.bytesHeld()).isEqualTo(picture.bytes().length);
        assertThat(sources.picture("cam")).isSameAs(picture);
    }

    @Test
    void keepsSmallRawFramesAtTheirSize() throws Exception {
        SourcePictures sources = new SourcePictures(1 << 20);
        sources.accept(SourceFrames.raw("cam", 0, 256, 256));

        BufferedImage image = read(sources.picture("cam").bytes());

        assertThat(image.getWidth()).isEqualTo(256);
        assertThat(image.getHeight()).isEqualTo(256);
    }

    @Test
    void holdsOnlyTheLatestFrameOfEachCamera() throws Exception {
        SourcePictures sources = new SourcePictures(1 << 20);
        Frame first = SourceFrames.jpeg("cam", 1, 160, 120);
        Frame second = SourceFrames.jpeg("cam", 2, 160, 120);

        sources.accept(first);
        sources.accept(second);

        assertThat(sources.picture("cam").seq()).isEqualTo(2);
        assertThat(sources.bytesHeld()).isEqualTo(second.getData().remaining());
        assertThat(sources.describe("cam")).containsEntry("seq", 2L).containsEntry("held", true);
        assertThat(sources.frames()).isEqualTo(2);
    }

    @Test
    void letsGoOfTheCamerasUpdatedLongestAgoToStayWithinTheBudget() throws Exception {
        Frame a = SourceFrames.raw("cam-a", 0, 100, 100);
        long size = a.getData().remaining();
        SourcePictures sources = new SourcePictures(2 * size + size / 2);

        sources.accept(a);
        sources.accept(SourceFrames.raw("cam-b", 0, 100, 100));
        sources.accept(SourceFrames.raw("cam-a", 1, 100, 100));
        sources.accept(SourceFrames.raw("cam-c", 0, 100, 100));

        assertThat(sources.bytesHeld()).isLessThanOrEqualTo(2 * size + size / 2);
        assertThat(sources.picture("cam-b")).isNull();
        assertThat(sources.picture("cam-a").seq()).isEqualTo(1);
        assertThat(sources.picture("cam-c")).isNotNull();
        assertThat(sources.evicted()).isEqualTo(1);
    }

    @Test
    void refusesAFrameLargerThanTheWholeBudgetAndSaysWhy() throws Exception {
        SourcePictures sources = new SourcePictures(1000);
        sources.accept(SourceFrames.raw("cam", 0, 16, 16));

        sources.accept(SourceFrames.raw("cam", 1, 100, 100));

        assertThat(sources.picture("cam")).isNull();
        assertThat(sources.bytesHeld()).isZero();
        Map<String, Object> described = sources.describe("cam");
        assertThat(described).containsEntry("held", false);
        assertThat((String) described.get("reason"))
                .contains("30000 bytes")
                .contains("--source-max-bytes");
        assertThat(sources.cameras()).containsExactly("cam");
    }

    @Test
    void saysWhyAFrameCannotBeShown() {
        SourcePictures sources = new SourcePictures(1 << 20);
        sources.accept(
                Frame.newBuilder(SourceFrames.raw("cam", 0, 16, 16))
                        .setData(ByteBuffer.wrap(new byte[7]))
                        .build());

        assertThatThrownBy(() -> sources.picture("cam"))
                .isInstanceOf(FrameRejectedException.class)
                .hasMessageContaining("got 7");
    }

    @Test
    void knowsNothingOfCamerasItNeverSaw() throws Exception {
        SourcePictures sources = new SourcePictures(1 << 20);

        assertThat(sources.picture("nobody")).isNull();
        assertThat(sources.describe("nobody")).isNull();
    }

    private static BufferedImage read(byte[] bytes) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    /** Frames of the synthetic corridor scene, captured at fixed times. */
    static final class SourceFrames {
        private SourceFrames() {}

        static Frame raw(String camera, long seq, int width, int height) {
            return Frame.newBuilder(
                            SyntheticScenes.create(
                                            "corridor",
                                            SyntheticScenes.seedFor(camera),
                                            width,
                                            height)
                                    .frame(camera, seq))
                    .setCaptureTime(T0.plusMillis(40 * seq))
                    .build();
        }

        static Frame jpeg(String camera, long seq, int width, int height) {
            Frame raw = raw(camera, seq, width, height);
            return Frame.newBuilder(raw)
                    .setFormat(PixelFormat.JPEG)
                    .setData(ByteBuffer.wrap(jpegBytes(raw.getData().array(), width, height)))
                    .build();
        }

        static byte[] jpegBytes(byte[] rgb, int width, int height) {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < width * height; i++) {
                image.setRGB(
                        i % width,
                        i / width,
                        (rgb[3 * i] & 0xFF) << 16
                                | (rgb[3 * i + 1] & 0xFF) << 8
                                | (rgb[3 * i + 2] & 0xFF));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(image, "jpeg", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
