package dev.deltatok.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deltatok.schema.RejectReason;

/**
 * Fuzzes the DCT-domain JPEG decoder on its own (inside {@link FrameDecoder} any exception it
 * throws is hidden by the fall-back to ImageIO): each input must give an image of the target size,
 * null (left to ImageIO), {@link ScaledJpegDecoder.Malformed} or the size check's {@link
 * FrameRejectedException}; never another exception.
 *
 * <p>Input layout: byte 0 picks the target size ({@code 1 + (b & 15)} by {@code 1 + (b >> 4)}), the
 * rest is the JPEG file. Seeds: {@code ScaledJpegDecoderFuzzTestInputs/decodesOrRejects/}.
 */
class ScaledJpegDecoderFuzzTest {

    private static final FrameLimits LIMITS = FrameDecoderFuzzTest.LIMITS;

    @FuzzTest(maxDuration = "10m")
    void decodesOrRejects(byte[] input) {
        if (input.length < 1) {
            return;
        }
        int width = 1 + (input[0] & 15);
        int height = 1 + ((input[0] >> 4) & 15);
        byte[] jpeg = java.util.Arrays.copyOfRange(input, 1, input.length);
        ScaledJpegDecoder.Result result;
        try {
            result =
                    ScaledJpegDecoder.decode(jpeg, width, height, ScaledJpegDecoderFuzzTest::check);
        } catch (ScaledJpegDecoder.Malformed | FrameRejectedException rejected) {
            return;
        }
        if (result != null) {
            assertThat(result.width()).isEqualTo(width);
            assertThat(result.height()).isEqualTo(height);
            assertThat(result.rgb()).hasSize(width * height * 3);
        }
    }

    private static void check(int width, int height) throws FrameRejectedException {
        if (width <= 0
                || height <= 0
                || width > LIMITS.maxWidth()
                || height > LIMITS.maxHeight()
                || (long) width * height > LIMITS.maxPixels()) {
            throw new FrameRejectedException(RejectReason.TOO_LARGE, width + "x" + height);
        }
    }
}
