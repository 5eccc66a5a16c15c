package dev.deltatok.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class JpegStreamReaderTest {

    private static byte[] jpeg(int width, int height, int shade) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 7 + shade) & 0xFF) << 16 | ((y * 3) & 0xFF) << 8 | shade);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void splitsBackToBackImagesAndReadsTheirSize() throws IOException {
        byte[] a = jpeg(64, 48, 10);
        byte[] b = jpeg(32, 16, 200);
        JpegStreamReader reader =
                new JpegStreamReader(new ByteArrayInputStream(concat(a, b, a)), 1 << 20);

        JpegStreamReader.Jpeg first = reader.next();
        JpegStreamReader.Jpeg second = reader.next();
        JpegStreamReader.Jpeg third = reader.next();

        assertThat(first.data()).isEqualTo(a);
        assertThat(first.width()).isEqualTo(64);
        assertThat(first.height()).isEqualTo(48);
        assertThat(second.data()).isEqualTo(b);
        assertThat(second.width()).isEqualTo(32);
        assertThat(third.data()).isEqualTo(a);
        assertThat(reader.next()).isNull();
    }

    @Test
    void anEndOfImageInsideAnAppSegmentDoesNotEndTheImage() throws IOException {
        byte[] a = jpeg(16, 16, 1);
        // SOI, then an APP1 segment holding FF D9 (as an EXIF thumbnail would), then the rest
        byte[] app = {(byte) 0xFF, (byte) 0xE1, 0, 6, (byte) 0xFF, (byte) 0xD9, 0, 0};
        byte[] withApp = concat(Arrays.copyOf(a, 2), app, Arrays.copyOfRange(a, 2, a.length));
        JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(withApp), 1 << 20);

        assertThat(reader.next().data()).isEqualTo(withApp);
    }

    @Test
    void rejectsAnImageLongerThanTheBound() throws IOException {
        byte[] a = jpeg(64, 64, 3);
        JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(a), a.length - 1);

        assertThatThrownBy(reader::next).hasMessageContaining("longer than");
    }

    @Test
    void rejectsAStreamThatEndsInsideAnImageOrIsNotJpeg() throws IOException {
        byte[] a = jpeg(16, 16, 5);
        assertThatThrownBy(
                        () ->
                                new JpegStreamReader(
                                                new ByteArrayInputStream(
                                                        Arrays.copyOf(a, a.length - 3)),
                                                1 << 20)
                                        .next())
                .hasMessageContaining("ended inside");
        assertThatThrownBy(
                        () ->
                                new JpegStreamReader(
                                                new ByteArrayInputStream(new byte[] {1, 2, 3}),
                                                1 << 20)
                                        .next())
                .hasMessageContaining("not a JPEG");
    }
}
