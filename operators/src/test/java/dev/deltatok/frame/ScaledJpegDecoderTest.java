package dev.deltatok.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.eval.ImageQuality;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.RejectReason;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scaled (DCT-domain) JPEG path against full ImageIO decoding + area resampling: the same
 * picture within 40 dB, the same limits, and the full decoder for what it leaves alone.
 */
class ScaledJpegDecoderTest {

    private static final FrameDecoder SCALED = new FrameDecoder(FrameLimits.defaults(), 256, 256);
    private static final FrameDecoder FULL =
            FrameDecoder.withFullJpegDecoding(FrameLimits.defaults(), 256, 256);

    /** A synthetic street-like picture (textured background, movers) as JPEG. */
    static byte[] sceneJpeg(int width, int height, boolean progressive, boolean grey)
            throws IOException {
        return sceneJpeg(width, height, progressive, grey, 0);
    }

    /** As above, with a restart marker every {@code restartInterval} MCUs (0: none). */
    static byte[] sceneJpeg(
            int width, int height, boolean progressive, boolean grey, int restartInterval)
            throws IOException {
        Frame raw = SyntheticScenes.create("busy", 7, width, height).frame("cam", 5);
        ByteBuffer buf = raw.getData().duplicate();
        byte[] rgb = new byte[buf.remaining()];
        buf.get(rgb);
        BufferedImage image =
                new BufferedImage(
                        width,
                        height,
                        grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0, p = 0; i < rgb.length; i += 3, p++) {
            if (grey) {
                px[p] = rgb[i + 1];
            } else {
                px[3 * p] = rgb[i + 2];
                px[3 * p + 1] = rgb[i + 1];
                px[3 * p + 2] = rgb[i];
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            javax.imageio.metadata.IIOMetadata metadata =
                    writer.getDefaultImageMetadata(
                            new javax.imageio.ImageTypeSpecifier(image), param);
            if (restartInterval > 0) {
                String format = "javax_imageio_jpeg_image_1.0";
                javax.imageio.metadata.IIOMetadataNode root =
                        (javax.imageio.metadata.IIOMetadataNode) metadata.getAsTree(format);
                javax.imageio.metadata.IIOMetadataNode dri =
                        new javax.imageio.metadata.IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(restartInterval));
                root.getElementsByTagName("markerSequence").item(0).appendChild(dri);
                metadata.setFromTree(format, root);
            }
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static Frame jpegFrame(byte[] data, int width, int height) {
        return Frame.newBuilder()
                .setCameraId("cam")
                .setSeq(1)
                .setCaptureTime(TestFrames.CAPTURED)
                .setFormat(PixelFormat.JPEG)
                .setWidth(width)
                .setHeight(height)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    @ParameterizedTest
    @CsvSource({"640, 480", "1280, 720", "1920, 1080", "333, 999", "1000, 260"})
    void scaledDecodeIsWithin40DbOfFullDecodeAndResample(int width, int height) throws Exception {
        Frame frame = jpegFrame(sceneJpeg(width, height, false, false), width, height);

        RgbImage scaled = SCALED.decode(frame);
        RgbImage full = FULL.decode(frame);

        assertThat(ImageQuality.psnrDb(scaled, full)).isGreaterThan(40.0);
    }

    @Test
    void restartMarkersAreFollowed() throws Exception {
        byte[] data = sceneJpeg(1280, 720, false, false, 7);
        assertThat(indexOf(data, (byte) 0xFF, (byte) 0xDD)).as("DRI segment").isPositive();
        Frame frame = jpegFrame(data, 1280, 720);

        assertThat(ScaledJpegDecoder.decode(data, 256, 256, (w, h) -> {})).isNotNull();
        assertThat(ImageQuality.psnrDb(SCALED.decode(frame), FULL.decode(frame)))
                .isGreaterThan(40.0);
    }

    @Test
    void corruptedJpegsAreDecodedOrRejectedNeverThrownOut() throws Exception {
        byte[] data = sceneJpeg(640, 480, false, false);
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] bad = data.clone();
            for (int m = 0; m < 1 + random.nextInt(8); m++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            Frame frame = jpegFrame(bad, 640, 480);
            try {
                assertThat(SCALED.decode(frame).width()).isEqualTo(256);
            } catch (FrameRejectedException expected) {
                assertThat(expected.detail()).isNotBlank();
            }
        }
    }

    @Test
    void refusesAScanThatNamesOneComponentForAll() throws Exception {
        // frame and scan give all three components id 1: the scan's table choices went to the
        // last one only, and the first, pointed at a quantisation table never defined, threw a
        // NullPointerException out of the decoder
        byte[] data = sceneJpeg(64, 48, false, false);
        int sof = indexOf(data, (byte) 0xFF, (byte) 0xC0);
        int sos = indexOf(data, (byte) 0xFF, (byte) 0xDA);
        for (int c = 0; c < 3; c++) {
            data[sof + 10 + 3 * c] = 1; // component id
            data[sos + 5 + 2 * c] = 1; // the scan's component id
        }
        data[sof + 12] = 2; // the first component's quantisation table: none with id 2

        assertThatThrownBy(() -> ScaledJpegDecoder.decode(data, 16, 16, (w, h) -> {}))
                .isInstanceOf(ScaledJpegDecoder.Malformed.class)
                .hasMessageContaining("twice");
    }

    private static int indexOf(byte[] data, byte a, byte b) {
        for (int i = 0; i + 1 < data.length; i++) {
            if (data[i] == a && data[i + 1] == b) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void greyJpegIsDecodedScaledToo() throws Exception {
        Frame frame = jpegFrame(sceneJpeg(1280, 720, false, true), 1280, 720);

        RgbImage scaled = SCALED.decode(frame);

        assertThat(ImageQuality.psnrDb(scaled, FULL.decode(frame))).isGreaterThan(40.0);
        assertThat(scaled.get(10, 10, 0)).isEqualTo(scaled.get(10, 10, 2));
    }

    @Test
    void decodesStraightToTheTargetSize() throws Exception {
        byte[] data = sceneJpeg(1280, 720, false, false);

        ScaledJpegDecoder.Result r = ScaledJpegDecoder.decode(data, 256, 256, (w, h) -> {});

        assertThat(r.width()).isEqualTo(256);
        assertThat(r.height()).isEqualTo(256);
        assertThat(r.rgb()).hasSize(256 * 256 * 3);
        assertThat(r.sourceWidth()).isEqualTo(1280);
    }

    @Test
    void aFlatImageComesOutFlatAsFromTheFullDecoder() throws Exception {
        byte[] data = TestFrames.encoded(TestFrames.image(640, 480, 0x3C78B4), "jpg");

        byte[] scaled = SCALED.decode(jpegFrame(data, 640, 480)).data();
        byte[] full = FULL.decode(jpegFrame(data, 640, 480)).data();

        for (int i = 0; i < full.length; i++) {
            assertThat(scaled[i] & 0xFF)
                    .as("byte %d", i)
                    .isCloseTo(full[i] & 0xFF, org.assertj.core.data.Offset.offset(1));
        }
    }

    @Test
    void leavesProgressiveJpegToImageIo() throws Exception {
        byte[] data = sceneJpeg(640, 480, true, false);

        assertThat(ScaledJpegDecoder.decode(data, 256, 256, (w, h) -> {})).isNull();
        assertThat(SCALED.decode(jpegFrame(data, 640, 480)).data())
                .isEqualTo(FULL.decode(jpegFrame(data, 640, 480)).data());
    }

    @Test
    void leavesImagesNotLargerThanTheTargetToImageIo() throws Exception {
        byte[] data = sceneJpeg(200, 200, false, false);

        assertThat(ScaledJpegDecoder.decode(data, 256, 256, (w, h) -> {})).isNull();
        assertThat(SCALED.decode(jpegFrame(data, 200, 200)).data())
                .isEqualTo(FULL.decode(jpegFrame(data, 200, 200)).data());
    }

    @Test
    void checksTheDeclaredSizeBeforeDecoding() throws Exception {
        byte[] data = sceneJpeg(640, 480, false, false);
        FrameDecoder small =
                new FrameDecoder(new FrameLimits(320, 320, 320 * 320, 1 << 24), 256, 256);

        assertThatThrownBy(() -> small.decode(jpegFrame(data, 640, 480)))
                .isInstanceOf(FrameRejectedException.class)
                .satisfies(
                        e ->
                                assertThat(((FrameRejectedException) e).reason())
                                        .isEqualTo(RejectReason.TOO_LARGE));
    }

    @Test
    void aTruncatedJpegIsAnsweredAsTheFullDecoderAnswersIt() throws Exception {
        byte[] data = sceneJpeg(640, 480, false, false);
        byte[] cut = Arrays.copyOf(data, data.length / 3);

        RejectReason scaled = outcome(SCALED, cut);
        RejectReason full = outcome(FULL, cut);

        assertThat(scaled).isEqualTo(full);
    }

    private static RejectReason outcome(FrameDecoder decoder, byte[] data) {
        try {
            decoder.decode(jpegFrame(data, 640, 480));
            return null;
        } catch (FrameRejectedException e) {
            return e.reason();
        }
    }
}
