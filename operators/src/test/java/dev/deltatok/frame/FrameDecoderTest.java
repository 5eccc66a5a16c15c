package dev.deltatok.frame;

import static dev.deltatok.frame.TestFrames.encoded;
import static dev.deltatok.frame.TestFrames.frame;
import static dev.deltatok.frame.TestFrames.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.RejectReason;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private final FrameDecoder decoder = new FrameDecoder(FrameLimits.defaults(), 4, 4);

    private static void assertRejected(ThrowingCallable call, RejectReason reason) {
        assertThatThrownBy(call)
                .isInstanceOf(FrameRejectedException.class)
                .satisfies(
                        e -> {
                            FrameRejectedException r = (FrameRejectedException) e;
                            assertThat(r.reason()).isEqualTo(reason);
                            assertThat(r.detail()).isNotBlank();
                        });
    }

    private static void assertSolid(RgbImage image, int r, int g, int b, int tolerance) {
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                assertThat(image.get(x, y, 0))
                        .isCloseTo(r, org.assertj.core.data.Offset.offset(tolerance));
                assertThat(image.get(x, y, 1))
                        .isCloseTo(g, org.assertj.core.data.Offset.offset(tolerance));
                assertThat(image.get(x, y, 2))
                        .isCloseTo(b, org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    @Test
    void decodesRgb24AtTheModelSize() throws Exception {
        RgbImage image = decoder.decode(TestFrames.solid(4, 4, 10, 20, 30));

        assertThat(image.width()).isEqualTo(4);
        assertSolid(image, 10, 20, 30, 0);
    }

    @Test
    void swapsBgr24ToRgb() throws Exception {
        byte[] data = new byte[4 * 4 * 3];
        for (int i = 0; i < data.length; i += 3) {
            data[i] = 30;
            data[i + 1] = 20;
            data[i + 2] = 10;
        }
        assertSolid(decoder.decode(frame(PixelFormat.BGR24, 4, 4, data)), 10, 20, 30, 0);
    }

    @Test
    void replicatesGray8IntoEveryChannel() throws Exception {
        byte[] data = new byte[16];
        java.util.Arrays.fill(data, (byte) 77);
        assertSolid(decoder.decode(frame(PixelFormat.GRAY8, 4, 4, data)), 77, 77, 77, 0);
    }

    /** Y, U, V of pure red in BT.601 limited range. */
    private static final int[] RED_YUV = {81, 90, 240};

    @Test
    void convertsI420WithBt601LimitedRange() throws Exception {
        byte[] data = new byte[16 + 4 + 4];
        java.util.Arrays.fill(data, 0, 16, (byte) RED_YUV[0]);
        java.util.Arrays.fill(data, 16, 20, (byte) RED_YUV[1]);
        java.util.Arrays.fill(data, 20, 24, (byte) RED_YUV[2]);
        assertSolid(decoder.decode(frame(PixelFormat.I420, 4, 4, data)), 255, 0, 0, 2);
    }

    @Test
    void convertsNv12WithInterleavedChroma() throws Exception {
        byte[] data = new byte[16 + 8];
        java.util.Arrays.fill(data, 0, 16, (byte) RED_YUV[0]);
        for (int i = 16; i < 24; i += 2) {
            data[i] = (byte) RED_YUV[1];
            data[i + 1] = (byte) RED_YUV[2];
        }
        assertSolid(decoder.decode(frame(PixelFormat.NV12, 4, 4, data)), 255, 0, 0, 2);
    }

    @Test
    void acceptsOddSizedI420WithRoundedUpChroma() throws Exception {
        int chroma = 2 * 2;
        byte[] data = new byte[3 * 3 + 2 * chroma];
        java.util.Arrays.fill(data, 0, 9, (byte) 235);
        java.util.Arrays.fill(data, 9, data.length, (byte) 128);
        assertSolid(decoder.decode(frame(PixelFormat.I420, 3, 3, data)), 255, 255, 255, 1);
    }

    @Test
    void decodesPng() throws Exception {
        byte[] png = encoded(image(8, 8, 0x336699), "png");
        assertSolid(decoder.decode(frame(PixelFormat.PNG, 8, 8, png)), 0x33, 0x66, 0x99, 0);
    }

    @Test
    void decodesJpeg() throws Exception {
        byte[] jpeg = encoded(image(16, 16, 0x808080), "jpeg");
        assertSolid(decoder.decode(frame(PixelFormat.JPEG, 16, 16, jpeg)), 128, 128, 128, 4);
    }

    @Test
    void shrinksByAreaAveraging() throws Exception {
        FrameDecoder toOne = new FrameDecoder(FrameLimits.defaults(), 1, 1);
        byte[] data = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
        RgbImage image = toOne.decode(frame(PixelFormat.RGB24, 2, 1, data));

        assertThat(image.get(0, 0, 0)).isEqualTo(100);
    }

    @Test
    void enlargesBilinearly() throws Exception {
        FrameDecoder toFour = new FrameDecoder(FrameLimits.defaults(), 4, 1);
        byte[] data = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
        RgbImage image = toFour.decode(frame(PixelFormat.RGB24, 2, 1, data));

        assertThat(
                        new int[] {
                            image.get(0, 0, 0),
                            image.get(1, 0, 0),
                            image.get(2, 0, 0),
                            image.get(3, 0, 0)
                        })
                .containsExactly(0, 50, 150, 200);
    }

    @Test
    void stretchesToTheModelAspect() throws Exception {
        FrameDecoder square = new FrameDecoder(FrameLimits.defaults(), 2, 2);
        byte[] data = new byte[4 * 2 * 3];
        for (int x = 2; x < 4; x++) {
            for (int y = 0; y < 2; y++) {
                java.util.Arrays.fill(data, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3, (byte) 255);
            }
        }
        RgbImage image = square.decode(frame(PixelFormat.RGB24, 4, 2, data));

        assertThat(image.get(0, 0, 0)).isZero();
        assertThat(image.get(1, 0, 0)).isEqualTo(255);
    }

    @Test
    void rejectsUnknownFormat() {
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.UNKNOWN, 4, 4, new byte[48])),
                RejectReason.UNSUPPORTED_FORMAT);
    }

    @Test
    void rejectsNonPositiveDimensions() {
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.RGB24, 0, 4, new byte[0])),
                RejectReason.INVALID_DIMENSIONS);
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.GRAY8, 4, -1, new byte[4])),
                RejectReason.INVALID_DIMENSIONS);
    }

    @Test
    void rejectsRawFramesWhoseByteCountDoesNotMatch() {
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.RGB24, 4, 4, new byte[47])),
                RejectReason.SIZE_MISMATCH);
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.I420, 4, 4, new byte[16])),
                RejectReason.SIZE_MISMATCH);
    }

    @Test
    void rejectsRawFramesDeclaringMoreThanTheLimits() {
        FrameDecoder small = new FrameDecoder(new FrameLimits(64, 64, 1024, 1 << 20), 4, 4);

        assertRejected(
                () -> small.decode(frame(PixelFormat.GRAY8, 65, 1, new byte[65])),
                RejectReason.TOO_LARGE);
        assertRejected(
                () -> small.decode(frame(PixelFormat.GRAY8, 64, 64, new byte[4096])),
                RejectReason.TOO_LARGE);
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.RGB24, 100_000, 100_000, new byte[3])),
                RejectReason.TOO_LARGE);
    }

    @Test
    void rejectsPayloadsAboveTheByteLimit() {
        FrameDecoder small = new FrameDecoder(new FrameLimits(64, 64, 4096, 100), 4, 4);

        assertRejected(
                () -> small.decode(frame(PixelFormat.PNG, 8, 8, new byte[101])),
                RejectReason.TOO_LARGE);
    }

    @Test
    void rejectsPngWithHugeDeclaredSize() throws Exception {
        byte[] png = pngHeader(100_000, 100_000);

        assertRejected(
                () -> decoder.decode(frame(PixelFormat.PNG, 8, 8, png)), RejectReason.TOO_LARGE);
    }

    @Test
    void rejectsJpegWithHugeDeclaredSize() {
        byte[] jpeg = encoded(image(16, 16, 0x102030), "jpeg");
        // Rewrite the SOF0 frame header to declare 65000 x 65000 pixels.
        for (int i = 0; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                jpeg[i + 5] = (byte) (65000 >> 8);
                jpeg[i + 6] = (byte) (65000 & 0xFF);
                jpeg[i + 7] = (byte) (65000 >> 8);
                jpeg[i + 8] = (byte) (65000 & 0xFF);
                break;
            }
        }

        assertRejected(
                () -> decoder.decode(frame(PixelFormat.JPEG, 16, 16, jpeg)),
                RejectReason.TOO_LARGE);
    }

    @Test
    void rejectsCorruptJpeg() {
        byte[] jpeg = encoded(image(16, 16, 0x102030), "jpeg");
        byte[] truncated = java.util.Arrays.copyOf(jpeg, 20);

        assertRejected(
                () -> decoder.decode(frame(PixelFormat.JPEG, 16, 16, truncated)),
                RejectReason.DECODE_FAILED);
    }

    @Test
    void rejectsBytesThatAreNotAPng() {
        assertRejected(
                () -> decoder.decode(frame(PixelFormat.PNG, 8, 8, "not a png".getBytes())),
                RejectReason.DECODE_FAILED);
    }

    @Test
    void rejectsAJpegLabelledPng() {
        byte[] jpeg = encoded(image(8, 8, 0x102030), "jpeg");

        assertRejected(
                () -> decoder.decode(frame(PixelFormat.PNG, 8, 8, jpeg)),
                RejectReason.DECODE_FAILED);
    }

    /** A PNG signature and a valid IHDR chunk declaring the size, nothing else. */
    static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(width);
        c.writeInt(height);
        c.writeByte(8);
        c.writeByte(2);
        c.writeByte(0);
        c.writeByte(0);
        c.writeByte(0);
        byte[] body = chunk.toByteArray();
        out.writeInt(13);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
