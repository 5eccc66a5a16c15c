package dev.deltatok.ingest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream of back-to-back JPEG images (what {@code ffmpeg -f image2pipe -c:v mjpeg} writes)
 * into single images by walking the JPEG markers: segments by their length, entropy-coded data up
 * to the end-of-image marker. A thumbnail inside an APP segment cannot end a frame early, and no
 * image may be longer than a bound. Not thread-safe.
 */
public final class JpegStreamReader implements AutoCloseable {

    /** One image and the size its start-of-frame header declares. */
    public record Jpeg(byte[] data, int width, int height) {}

    private final InputStream in;
    private final int maxBytes;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);

    /**
     * @param maxBytes longest image accepted; a longer one is an {@link IOException}
     */
    public JpegStreamReader(InputStream in, int maxBytes) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
        this.maxBytes = maxBytes;
    }

    /**
     * The next image, or null at a clean end of the stream (between images).
     *
     * @throws IOException on a read error, a stream that ends inside an image, bytes that are not a
     *     JPEG, or an image over the bound
     */
    public Jpeg next() throws IOException {
        buffer.reset();
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int second = in.read();
        if (first != 0xFF || second != 0xD8) {
            throw new IOException(
                    String.format("not a JPEG image: starts with %02X %02X", first, second & 0xFF));
        }
        put(0xFF);
        put(0xD8);
        int width = -1;
        int height = -1;
        while (true) {
            int marker = marker();
            if (marker == 0xD9) {
                throw new IOException("JPEG image ends before its scan");
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a length
            }
            int hi = read();
            int lo = read();
            int length = (hi << 8) | lo;
            if (length < 2) {
                throw new IOException("JPEG segment with length " + length);
            }
            byte[] payload = new byte[length - 2];
            readFully(payload);
            if (isStartOfFrame(marker) && payload.length >= 5) {
                height = ((payload[1] & 0xFF) << 8) | (payload[2] & 0xFF);
                width = ((payload[3] & 0xFF) << 8) | (payload[4] & 0xFF);
            }
            if (marker == 0xDA) {
                break;
            }
        }
        // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), a restart marker, or a
        // marker that starts the next scan (progressive) or ends the image.
        while (true) {
            int b = read();
            if (b != 0xFF) {
                continue;
            }
            int next = read();
            while (next == 0xFF) {
                next = read();
            }
            if (next == 0xD9) {
                if (width <= 0 || height <= 0) {
                    throw new IOException("JPEG image without a frame header");
                }
                return new Jpeg(buffer.toByteArray(), width, height);
            }
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                continue;
            }
            // another segment (DHT, SOS of the next progressive scan...): skip it by its length
            int length = (read() << 8) | read();
            if (length < 2) {
                throw new IOException("JPEG segment with length " + length);
            }
            readFully(new byte[length - 2]);
        }
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0
                && marker <= 0xCF
                && marker != 0xC4
                && marker != 0xC8
                && marker != 0xCC;
    }

    /** Reads up to and including the next marker byte after 0xFF. */
    private int marker() throws IOException {
        int b = read();
        if (b != 0xFF) {
            throw new IOException(String.format("expected a JPEG marker, got %02X", b));
        }
        int m = read();
        while (m == 0xFF) {
            m = read(); // fill bytes
        }
        return m;
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("stream ended inside a JPEG image");
        }
        put(b);
        return b;
    }

    private void readFully(byte[] bytes) throws IOException {
        int off = 0;
        while (off < bytes.length) {
            int n = in.read(bytes, off, bytes.length - off);
            if (n < 0) {
                throw new EOFException("stream ended inside a JPEG image");
            }
            off += n;
        }
        if (buffer.size() + bytes.length > maxBytes) {
            throw new IOException("JPEG image longer than " + maxBytes + " bytes");
        }
        buffer.write(bytes, 0, bytes.length);
    }

    private void put(int b) throws IOException {
        if (buffer.size() >= maxBytes) {
            throw new IOException("JPEG image longer than " + maxBytes + " bytes");
        }
        buffer.write(b);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
