package dev.deltatok.camera;

import dev.deltatok.eval.FrameSource;
import dev.deltatok.eval.FrameSources;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * One camera as the tools publish it: frames of a synthetic scene (endless), an image folder or a
 * video file (restarted at the end when looping), re-stamped with this camera's id, a gap-free seq
 * and the capture time read from {@code clock} when the frame is taken, optionally converted to
 * another pixel format. Not thread-safe: one publishing thread per camera.
 */
public final class LiveCamera implements AutoCloseable {

    private final String spec;
    private final String cameraId;
    private final int width;
    private final int height;
    private final boolean loop;
    private final PixelFormat format;
    private final Clock clock;
    private final SyntheticScene scene;
    private final boolean passThrough;
    private FrameSource source;
    private long seq;
    private boolean ended;

    private LiveCamera(FrameSource source, String cameraId) {
        this.spec = source.describe();
        this.cameraId = cameraId;
        this.width = 0;
        this.height = 0;
        this.loop = false;
        this.format = null;
        this.clock = null;
        this.scene = null;
        this.source = source;
        this.passThrough = true;
    }

    private LiveCamera(
            String spec,
            String cameraId,
            int width,
            int height,
            boolean loop,
            PixelFormat format,
            Clock clock)
            throws IOException {
        this.spec = spec;
        this.cameraId = cameraId;
        this.width = width;
        this.height = height;
        this.loop = loop;
        this.format = format;
        this.clock = clock;
        this.passThrough = false;
        if (spec.startsWith("synthetic:")) {
            this.scene =
                    SyntheticScenes.create(
                            spec.substring("synthetic:".length()),
                            SyntheticScenes.seedFor(cameraId),
                            width,
                            height);
        } else {
            this.scene = null;
            this.source = FrameSources.open(spec, cameraId, width, height, 0);
        }
    }

    /**
     * Opens a camera.
     *
     * @param format pixel format to publish, or null to keep the source's (RGB24 for synthetic
     *     scenes and video, the file's JPEG or PNG for image folders)
     * @throws IllegalArgumentException for an unknown scene or a path that does not exist
     * @throws IOException when the folder or video cannot be opened (ffmpeg missing included)
     */
    public static LiveCamera open(
            String spec,
            String cameraId,
            int width,
            int height,
            boolean loop,
            PixelFormat format,
            Clock clock)
            throws IOException {
        if (format != null
                && format != PixelFormat.RGB24
                && format != PixelFormat.JPEG
                && format != PixelFormat.PNG) {
            throw new IllegalArgumentException(
                    "cannot publish as " + format + "; choose RGB24, JPEG or PNG");
        }
        return new LiveCamera(spec, cameraId, width, height, loop, format, clock);
    }

    /**
     * A camera whose frames are published as {@code source} stamps them (id, seq, capture time and
     * format untouched), as {@code ingest} does with live streams; the camera owns and closes
     * {@code source}.
     */
    public static LiveCamera of(FrameSource source, String cameraId) {
        return new LiveCamera(source, cameraId);
    }

    public String cameraId() {
        return cameraId;
    }

    public String describe() {
        return scene != null ? scene.toString() : source.describe();
    }

    /** The next frame, or null when the source ended (never for synthetic scenes or looping). */
    public Frame next() throws IOException {
        if (ended) {
            return null;
        }
        if (passThrough) {
            Frame frame = source.next();
            ended = frame == null;
            return frame;
        }
        Frame raw;
        if (scene != null) {
            raw = scene.frame(cameraId, seq);
        } else {
            raw = source.next();
            if (raw == null && loop) {
                source.close();
                source = FrameSources.open(spec, cameraId, width, height, 0);
                raw = source.next();
            }
            if (raw == null) {
                ended = true;
                return null;
            }
        }
        Map<String, String> attributes = new HashMap<>();
        raw.getAttributes().forEach((k, v) -> attributes.put(k.toString(), v.toString()));
        attributes.put("source", spec);
        Frame frame =
                Frame.newBuilder(raw)
                        .setCameraId(cameraId)
                        .setSeq(seq++)
                        .setCaptureTime(clock.instant())
                        .setAttributes(new HashMap<>(attributes))
                        .build();
        return format == null || format == frame.getFormat() ? frame : convert(frame, format);
    }

    /** Re-encodes an RGB24, JPEG or PNG frame as {@code target}. */
    private static Frame convert(Frame frame, PixelFormat target) throws IOException {
        BufferedImage image = toImage(frame);
        byte[] data;
        if (target == PixelFormat.RGB24) {
            data = new byte[image.getWidth() * image.getHeight() * 3];
            int i = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    data[i++] = (byte) (rgb >> 16);
                    data[i++] = (byte) (rgb >> 8);
                    data[i++] = (byte) rgb;
                }
            }
        } else {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, target == PixelFormat.JPEG ? "jpg" : "png", out)) {
                throw new IOException("no ImageIO writer for " + target);
            }
            data = out.toByteArray();
        }
        return Frame.newBuilder(frame)
                .setFormat(target)
                .setWidth(image.getWidth())
                .setHeight(image.getHeight())
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    private static BufferedImage toImage(Frame frame) throws IOException {
        ByteBuffer buffer = frame.getData().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (frame.getFormat() == PixelFormat.RGB24) {
            BufferedImage image =
                    new BufferedImage(
                            frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            for (int i = 0; i + 2 < bytes.length && i + 2 < bgr.length; i += 3) {
                bgr[i] = bytes[i + 2];
                bgr[i + 1] = bytes[i + 1];
                bgr[i + 2] = bytes[i];
            }
            return image;
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IOException(
                    "cannot decode frame " + frame.getSeq() + " (" + frame.getFormat() + ")");
        }
        return image;
    }

    @Override
    public void close() throws IOException {
        if (source != null) {
            source.close();
        }
    }
}
