package dev.deltatok.frame;

import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.schema.RejectReason;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Validates a {@link Frame} and turns it into an {@link RgbImage} at the model's frame size.
 *
 * <p>Policy:
 *
 * <ul>
 *   <li>Colour: output is sRGB as delivered. GRAY8 is replicated to R = G = B. I420 and NV12 are
 *       converted with BT.601 limited-range coefficients (Y in 16..235), what cameras and ffmpeg
 *       produce by default; chroma is upsampled by repetition (odd sizes round chroma up). JPEG
 *       larger than the target is decoded at a reduced size in the DCT domain ({@link
 *       ScaledJpegDecoder}: 1/8, 1/4 or 1/2 per axis, never below the target), other JPEG and PNG
 *       go through ImageIO; alpha is dropped (composited over black), 16-bit and indexed images are
 *       converted.
 *   <li>Geometry: the image is <em>stretched</em> to the target size (no letterbox, no crop), so
 *       every model patch covers the same part of the scene whatever the source aspect; a 16:9
 *       source is squeezed horizontally into a square model frame. Per axis, shrinking uses area
 *       averaging and enlarging uses bilinear interpolation.
 *   <li>Limits: the payload size, declared dimensions and, for JPEG and PNG, the dimensions in the
 *       image header are checked against {@link FrameLimits} before any pixel is decoded.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class FrameDecoder {

    private final FrameLimits limits;
    private final int targetWidth;
    private final int targetHeight;
    private final boolean scaledJpeg;

    public FrameDecoder(FrameLimits limits, int targetWidth, int targetHeight) {
        this(limits, targetWidth, targetHeight, true);
    }

    /**
     * A decoder that decodes every JPEG at full size with ImageIO before resampling, as before the
     * scaled path existed: the reference the scaled path is measured against.
     */
    public static FrameDecoder withFullJpegDecoding(
            FrameLimits limits, int targetWidth, int targetHeight) {
        return new FrameDecoder(limits, targetWidth, targetHeight, false);
    }

    private FrameDecoder(
            FrameLimits limits, int targetWidth, int targetHeight, boolean scaledJpeg) {
        if (targetWidth <= 0 || targetHeight <= 0) {
            throw new IllegalArgumentException(
                    "target size must be positive: " + targetWidth + "x" + targetHeight);
        }
        this.limits = limits;
        this.targetWidth = targetWidth;
        this.targetHeight = targetHeight;
        this.scaledJpeg = scaledJpeg;
    }

    public FrameLimits limits() {
        return limits;
    }

    /**
     * Decodes and resizes a frame.
     *
     * @throws FrameRejectedException with UNSUPPORTED_FORMAT, INVALID_DIMENSIONS, TOO_LARGE,
     *     SIZE_MISMATCH or DECODE_FAILED
     */
    public RgbImage decode(Frame frame) throws FrameRejectedException {
        PixelFormat format = frame.getFormat();
        if (format == null || format == PixelFormat.UNKNOWN) {
            throw new FrameRejectedException(
                    RejectReason.UNSUPPORTED_FORMAT,
                    "pixel format "
                            + format
                            + " is not supported; expected one of RGB24, BGR24, GRAY8, I420,"
                            + " NV12, JPEG, PNG");
        }
        ByteBuffer buffer = frame.getData();
        int size = buffer == null ? 0 : buffer.remaining();
        if (size > limits.maxPayloadBytes()) {
            throw new FrameRejectedException(
                    RejectReason.TOO_LARGE,
                    "payload of "
                            + size
                            + " bytes exceeds the limit of "
                            + limits.maxPayloadBytes()
                            + " bytes");
        }
        byte[] data = bytes(buffer);
        if (format == PixelFormat.JPEG && scaledJpeg) {
            RgbImage scaled = decodeScaledJpeg(data);
            if (scaled != null) {
                return scaled;
            }
        }
        if (format == PixelFormat.JPEG || format == PixelFormat.PNG) {
            return decodeCompressed(format, data);
        }
        int width = frame.getWidth();
        int height = frame.getHeight();
        checkDimensions(width, height, "declared");
        long expected = rawSize(format, width, height);
        if (data.length != expected) {
            throw new FrameRejectedException(
                    RejectReason.SIZE_MISMATCH,
                    format
                            + " "
                            + width
                            + "x"
                            + height
                            + " needs "
                            + expected
                            + " bytes, got "
                            + data.length);
        }
        byte[] rgb = toRgb(format, data, width, height);
        return new RgbImage(
                targetWidth,
                targetHeight,
                Resampler.resize(rgb, width, height, targetWidth, targetHeight));
    }

    /**
     * A JPEG larger than the target, area-resampled to it in the DCT domain; null when the scaled
     * decoder leaves the file to ImageIO (progressive, CMYK, no reduction possible) or finds it
     * malformed (ImageIO then says what is wrong).
     */
    private RgbImage decodeScaledJpeg(byte[] data) throws FrameRejectedException {
        ScaledJpegDecoder.Result scaled;
        try {
            scaled =
                    ScaledJpegDecoder.decode(
                            data,
                            targetWidth,
                            targetHeight,
                            (w, h) -> checkDimensions(w, h, PixelFormat.JPEG + " header"));
        } catch (ScaledJpegDecoder.Malformed | RuntimeException e) {
            return null;
        }
        if (scaled == null) {
            return null;
        }
        return new RgbImage(targetWidth, targetHeight, scaled.rgb());
    }

    /** Bytes a raw frame of this format and size must carry. */
    public static long rawSize(PixelFormat format, int width, int height) {
        long pixels = (long) width * height;
        long chroma = (long) ((width + 1) / 2) * ((height + 1) / 2);
        return switch (format) {
            case RGB24, BGR24 -> pixels * 3;
            case GRAY8 -> pixels;
            case I420, NV12 -> pixels + 2 * chroma;
            default -> throw new IllegalArgumentException("not a raw format: " + format);
        };
    }

    private void checkDimensions(int width, int height, String what) throws FrameRejectedException {
        if (width <= 0 || height <= 0) {
            throw new FrameRejectedException(
                    RejectReason.INVALID_DIMENSIONS,
                    what + " size " + width + "x" + height + " must be positive");
        }
        if (width > limits.maxWidth()
                || height > limits.maxHeight()
                || (long) width * height > limits.maxPixels()) {
            throw new FrameRejectedException(
                    RejectReason.TOO_LARGE,
                    what
                            + " size "
                            + width
                            + "x"
                            + height
                            + " exceeds the limits of "
                            + limits.maxWidth()
                            + "x"
                            + limits.maxHeight()
                            + " and "
                            + limits.maxPixels()
                            + " pixels");
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer view = buffer.duplicate();
        if (view.hasArray()
                && view.arrayOffset() == 0
                && view.position() == 0
                && view.remaining() == view.array().length) {
            return view.array();
        }
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static byte[] toRgb(PixelFormat format, byte[] data, int width, int height) {
        int pixels = width * height;
        switch (format) {
            case RGB24:
                return data;
            case BGR24:
                {
                    byte[] out = new byte[pixels * 3];
                    for (int i = 0; i < out.length; i += 3) {
                        out[i] = data[i + 2];
                        out[i + 1] = data[i + 1];
                        out[i + 2] = data[i];
                    }
                    return out;
                }
            case GRAY8:
                {
                    byte[] out = new byte[pixels * 3];
                    for (int i = 0; i < pixels; i++) {
                        byte v = data[i];
                        out[3 * i] = v;
                        out[3 * i + 1] = v;
                        out[3 * i + 2] = v;
                    }
                    return out;
                }
            case I420:
            case NV12:
                return yuvToRgb(format == PixelFormat.NV12, data, width, height);
            default:
                throw new IllegalArgumentException("not a raw format: " + format);
        }
    }

    private static byte[] yuvToRgb(boolean nv12, byte[] data, int width, int height) {
        int cw = (width + 1) / 2;
        int ch = (height + 1) / 2;
        int ySize = width * height;
        byte[] out = new byte[ySize * 3];
        for (int y = 0; y < height; y++) {
            int crow = (y / 2) * cw;
            for (int x = 0; x < width; x++) {
                int c = 298 * ((data[y * width + x] & 0xFF) - 16);
                int ci = crow + x / 2;
                int u;
                int v;
                if (nv12) {
                    u = (data[ySize + 2 * ci] & 0xFF) - 128;
                    v = (data[ySize + 2 * ci + 1] & 0xFF) - 128;
                } else {
                    u = (data[ySize + ci] & 0xFF) - 128;
                    v = (data[ySize + cw * ch + ci] & 0xFF) - 128;
                }
                int o = (y * width + x) * 3;
                out[o] = clamp((c + 409 * v + 128) >> 8);
                out[o + 1] = clamp((c - 100 * u - 208 * v + 128) >> 8);
                out[o + 2] = clamp((c + 516 * u + 128) >> 8);
            }
        }
        return out;
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
    }

    private RgbImage decodeCompressed(PixelFormat format, byte[] data)
            throws FrameRejectedException {
        String name = format == PixelFormat.JPEG ? "jpeg" : "png";
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(name);
        if (!readers.hasNext()) {
            throw new FrameRejectedException(
                    RejectReason.DECODE_FAILED, "no " + name + " decoder available");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new FrameRejectedException(
                        RejectReason.DECODE_FAILED,
                        "cannot read the "
                                + format
                                + " header ("
                                + data.length
                                + " bytes): "
                                + e.getMessage(),
                        e);
            }
            // The header is authoritative: reject before any pixel is allocated.
            checkDimensions(width, height, format + " header");
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw new FrameRejectedException(
                        RejectReason.DECODE_FAILED,
                        "cannot decode the "
                                + format
                                + " image "
                                + width
                                + "x"
                                + height
                                + ": "
                                + e.getMessage(),
                        e);
            }
            byte[] rgb = toRgb(image);
            return new RgbImage(
                    targetWidth,
                    targetHeight,
                    Resampler.resize(rgb, width, height, targetWidth, targetHeight));
        } catch (IOException e) {
            throw new FrameRejectedException(
                    RejectReason.DECODE_FAILED, "cannot open the " + format + " stream", e);
        } finally {
            reader.dispose();
        }
    }

    private static byte[] toRgb(BufferedImage image) {
        BufferedImage bgr = image;
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            bgr =
                    new BufferedImage(
                            image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            java.awt.Graphics2D g = bgr.createGraphics();
            try {
                g.drawImage(image, 0, 0, null);
            } finally {
                g.dispose();
            }
        }
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i += 3) {
            out[i] = data[i + 2];
            out[i + 1] = data[i + 1];
            out[i + 2] = data[i];
        }
        return out;
    }
}
