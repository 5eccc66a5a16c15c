package dev.deltatok.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.nio.ByteBuffer;

/**
 * Fuzzes {@link FrameDecoder} with hostile frames of every pixel format (RGB24, BGR24, GRAY8, I420,
 * NV12, JPEG on the scaled and the full path, PNG, UNKNOWN and a missing format): each must decode
 * to an image of the target size or be rejected with a {@link FrameRejectedException}; nothing else
 * (no other exception, no hang, no allocation past what the limits allow).
 *
 * <p>Input layout: byte 0 picks the format (low four bits, past the last format: none) and, with
 * bit 4 set, the decoder that decodes every JPEG at full size; bytes 1-2 and 3-4 are the declared
 * width and height (signed 16-bit, big-endian); the rest is {@code Frame.data}. Limits are small
 * (1024 a side) so that each input decodes quickly. Seeds: {@code
 * FrameDecoderFuzzTestInputs/decodesOrRejects/}.
 */
class FrameDecoderFuzzTest {

    static final int TARGET_WIDTH = 16;
    static final int TARGET_HEIGHT = 12;
    static final FrameLimits LIMITS = new FrameLimits(1024, 1024, 1 << 19, 1 << 20);

    private static final FrameDecoder SCALED =
            new FrameDecoder(LIMITS, TARGET_WIDTH, TARGET_HEIGHT);
    private static final FrameDecoder FULL =
            FrameDecoder.withFullJpegDecoding(LIMITS, TARGET_WIDTH, TARGET_HEIGHT);
    private static final PixelFormat[] FORMATS = PixelFormat.values();

    @FuzzTest(maxDuration = "10m")
    void decodesOrRejects(byte[] input) {
        if (input.length < 5) {
            return;
        }
        int selector = input[0] & 0xFF;
        Frame frame =
                Frame.newBuilder()
                        .setCameraId("cam")
                        .setSeq(1)
                        .setCaptureTime(TestFrames.CAPTURED)
                        .setWidth((short) (((input[1] & 0xFF) << 8) | (input[2] & 0xFF)))
                        .setHeight((short) (((input[3] & 0xFF) << 8) | (input[4] & 0xFF)))
                        .setFormat(PixelFormat.RGB24)
                        // a slice, as a decoded record's buffer often is
                        .setData(ByteBuffer.wrap(input, 5, input.length - 5).slice())
                        .build();
        int format = selector & 0x0F;
        frame.setFormat(format < FORMATS.length ? FORMATS[format] : null);
        FrameDecoder decoder = (selector & 0x10) != 0 ? FULL : SCALED;
        RgbImage image;
        try {
            image = decoder.decode(frame);
        } catch (FrameRejectedException rejected) {
            assertThat(rejected.reason()).isNotNull();
            return;
        }
        assertThat(image.width()).isEqualTo(TARGET_WIDTH);
        assertThat(image.height()).isEqualTo(TARGET_HEIGHT);
        assertThat(image.data()).hasSize(TARGET_WIDTH * TARGET_HEIGHT * 3);
    }
}
