package dev.deltatok.cli;

import dev.deltatok.frame.FrameDecoder;
import dev.deltatok.frame.FrameLimits;
import dev.deltatok.frame.FrameRejectedException;
import dev.deltatok.frame.RgbImage;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * The latest source frame of each camera, as {@code deltatok view} shows it beside the
 * reconstruction, held within a byte budget: one frame per camera, and when a new frame would take
 * the total over the budget, the frames of the cameras updated longest ago are let go. JPEG (and
 * PNG up to {@link #PASS_THROUGH_PNG_BYTES}) go to the browser as they came; raw frames and larger
 * PNGs are converted to JPEG at most {@link #MAX_SIDE} pixels a side when first asked for, and the
 * converted bytes replace the frame. Thread-safe: one thread accepts, HTTP threads ask.
 */
final class SourcePictures {

    /** Longest side of a converted picture, in pixels. */
    static final int MAX_SIDE = 640;

    /** PNGs up to this size go to the browser as they came. */
    static final int PASS_THROUGH_PNG_BYTES = 1 << 20;

    /**
     * A picture ready for the browser.
     *
     * @param seq the frame's {@code seq}
     * @param captureTimeMicros the frame's capture time, microseconds since the epoch
     * @param format the frame's pixel format
     * @param width the frame's width as declared (not the picture's when converted)
     * @param height the frame's height as declared
     * @param contentType {@code image/jpeg} or {@code image/png}
     * @param bytes the encoded picture; owned by this class, not to be modified
     */
    record Picture(
            long seq,
            long captureTimeMicros,
            PixelFormat format,
            int width,
            int height,
            String contentType,
            byte[] bytes) {}

    /** One camera's latest frame: its payload until converted, then the picture. */
    private static final class Held {
        final Frame frame;
        byte[] payload;
        Picture picture;

        Held(Frame frame, byte[] payload) {
            this.frame = frame;
            this.payload = payload;
        }

        long bytes() {
            return picture != null ? picture.bytes().length : payload.length;
        }
    }

    private final long budgetBytes;
    // Insertion order is update order: a camera's new frame is put at the end.
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();
    private final Map<String, String> notHeld = new LinkedHashMap<>();
    private long bytes;
    private long frames;
    private long evicted;

    /**
     * @param budgetBytes the most bytes of frames and pictures held at once, over all cameras
     */
    SourcePictures(long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("budget must be >= 1 byte, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** Keeps {@code frame} as its camera's latest, letting go of the previous one. */
    synchronized void accept(Frame frame) {
        String camera = frame.getCameraId();
        frames++;
        Held previous = held.remove(camera);
        if (previous != null) {
            bytes -= previous.bytes();
        }
        byte[] payload = bytes(frame.getData());
        if (payload.length > budgetBytes) {
            notHeld.put(
                    camera,
                    "frame "
                            + frame.getSeq()
                            + " of "
                            + payload.length
                            + " bytes is larger than the viewer's budget of "
                            + budgetBytes
                            + " bytes (--source-max-bytes)");
            trimNotHeld();
            return;
        }
        notHeld.remove(camera);
        Iterator<Held> oldest = held.values().iterator();
        while (bytes + payload.length > budgetBytes && oldest.hasNext()) {
            bytes -= oldest.next().bytes();
            oldest.remove();
            evicted++;
        }
        // The frame is kept without its data buffer, which the payload copy stands for.
        Frame header = Frame.newBuilder(frame).setData(ByteBuffer.allocate(0)).build();
        held.put(camera, new Held(header, payload));
        bytes += payload.length;
    }

    /**
     * The camera's latest frame as a picture for the browser, converting it on the first call.
     *
     * @return null when no frame of the camera is held
     * @throws FrameRejectedException when the frame cannot be converted
     */
    Picture picture(String camera) throws FrameRejectedException {
        Held h;
        synchronized (this) {
            h = held.get(camera);
            if (h == null) {
                return null;
            }
            if (h.picture != null) {
                return h.picture;
            }
            PixelFormat format = h.frame.getFormat();
            if (format == PixelFormat.JPEG
                    || (format == PixelFormat.PNG && h.payload.length <= PASS_THROUGH_PNG_BYTES)) {
                return picture(
                        h.frame,
                        format == PixelFormat.JPEG ? "image/jpeg" : "image/png",
                        h.payload);
            }
        }
        // Converting takes a while: not under the lock, so frames keep arriving meanwhile.
        Picture converted = picture(h.frame, "image/jpeg", jpeg(convert(h.frame, h.payload)));
        synchronized (this) {
            if (held.get(camera) == h && h.picture == null) {
                bytes += converted.bytes().length - h.payload.length;
                h.picture = converted;
                h.payload = null;
            }
        }
        return converted;
    }

    /** What is known of the camera's latest frame, for the page; null when none was read. */
    synchronized Map<String, Object> describe(String camera) {
        Held h = held.get(camera);
        if (h == null) {
            String why = notHeld.get(camera);
            return why == null ? null : Map.of("held", false, "reason", why);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("held", true);
        out.put("seq", h.frame.getSeq());
        out.put("captureTime", h.frame.getCaptureTime().toString());
        out.put("format", h.frame.getFormat().toString());
        out.put("width", h.frame.getWidth());
        out.put("height", h.frame.getHeight());
        out.put("attributes", new LinkedHashMap<>(h.frame.getAttributes()));
        return out;
    }

    /** Cameras whose latest frame is held or was refused, in update order. */
    synchronized java.util.List<String> cameras() {
        java.util.List<String> out = new java.util.ArrayList<>(held.keySet());
        notHeld.keySet().stream().filter(c -> !held.containsKey(c)).forEach(out::add);
        return out;
    }

    /** Bytes held now, never above the budget. */
    synchronized long bytesHeld() {
        return bytes;
    }

    /** Frames accepted so far. */
    synchronized long frames() {
        return frames;
    }

    /** Frames let go to stay within the budget before a newer frame of their camera came. */
    synchronized long evicted() {
        return evicted;
    }

    private void trimNotHeld() {
        // Bounded like the frames: reasons of cameras long gone are forgotten.
        Iterator<String> oldest = notHeld.keySet().iterator();
        while (notHeld.size() > 10_000 && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private static Picture picture(Frame frame, String contentType, byte[] bytes) {
        return new Picture(
                frame.getSeq(),
                frame.getCaptureTime().getEpochSecond() * 1_000_000L
                        + frame.getCaptureTime().getNano() / 1_000,
                frame.getFormat(),
                frame.getWidth(),
                frame.getHeight(),
                contentType,
                bytes);
    }

    /** The frame as RGB, at most {@link #MAX_SIDE} a side, its aspect kept. */
    private static RgbImage convert(Frame frame, byte[] payload) throws FrameRejectedException {
        int width = Math.max(1, frame.getWidth());
        int height = Math.max(1, frame.getHeight());
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(width, height));
        int w = Math.max(1, (int) Math.round(width * scale));
        int h = Math.max(1, (int) Math.round(height * scale));
        Frame whole = Frame.newBuilder(frame).setData(ByteBuffer.wrap(payload)).build();
        return new FrameDecoder(FrameLimits.defaults(), w, h).decode(whole);
    }

    private static byte[] jpeg(RgbImage image) {
        BufferedImage out =
                new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.data();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var stream = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.85f);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(out, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
