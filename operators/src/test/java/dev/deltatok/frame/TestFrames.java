package dev.deltatok.frame;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;

/** Intention-revealing frame factories for decoder tests. */
final class TestFrames {

    static final Instant CAPTURED = Instant.parse("2025-01-01T00:00:00Z");

    private TestFrames() {}

    static Frame frame(PixelFormat format, int width, int height, byte[] data) {
        return Frame.newBuilder()
                .setCameraId("cam")
                .setSeq(1)
                .setCaptureTime(CAPTURED)
                .setWidth(width)
                .setHeight(height)
                .setFormat(format)
                .setData(ByteBuffer.wrap(data))
                .setAttributes(Map.of())
                .build();
    }

    /** A solid RGB24 frame. */
    static Frame solid(int width, int height, int r, int g, int b) {
        byte[] data = new byte[width * height * 3];
        for (int i = 0; i < data.length; i += 3) {
            data[i] = (byte) r;
            data[i + 1] = (byte) g;
            data[i + 2] = (byte) b;
        }
        return frame(PixelFormat.RGB24, width, height, data);
    }

    static BufferedImage image(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    static byte[] encoded(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
