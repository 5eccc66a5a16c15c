package dev.deltatok.eval;

import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Frames of a video file decoded by an {@code ffmpeg} child process ({@code ffmpeg -i FILE -f
 * rawvideo -pix_fmt rgb24 -s WxH -}), as RGB24 frames already at {@code width x height}.
 */
public final class FfmpegFrameSource implements FrameSource {

    private final Path file;
    private final String cameraId;
    private final int width;
    private final int height;
    private final Process process;
    private final InputStream stdout;
    private final Path stderr;
    private long seq;
    private boolean ended;

    /**
     * Starts ffmpeg.
     *
     * @throws IOException if the file does not exist or ffmpeg cannot be started (the message says
     *     how to install it)
     */
    public FfmpegFrameSource(Path file, String cameraId, int width, int height) throws IOException {
        this(file, cameraId, width, height, "ffmpeg");
    }

    FfmpegFrameSource(Path file, String cameraId, int width, int height, String executable)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such video file: " + file);
        }
        this.file = file;
        this.cameraId = cameraId;
        this.width = width;
        this.height = height;
        this.stderr = Files.createTempFile("deltatok-ffmpeg", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(
                        List.of(
                                executable,
                                "-v",
                                "error",
                                "-nostdin",
                                "-i",
                                file.toString(),
                                "-f",
                                "rawvideo",
                                "-pix_fmt",
                                "rgb24",
                                "-s",
                                width + "x" + height,
                                "-"));
        builder.redirectError(stderr.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        try {
            this.process = builder.start();
        } catch (IOException e) {
            Files.deleteIfExists(stderr);
            throw new IOException(
                    "cannot run '"
                            + executable
                            + "' to decode "
                            + file
                            + ": ffmpeg is not installed or not on the PATH. Install it (for"
                            + " example 'apt-get install ffmpeg'), or use an image folder or"
                            + " synthetic:NAME as the input",
                    e);
        }
        process.getOutputStream().close();
        this.stdout = process.getInputStream();
    }

    @Override
    public Frame next() throws IOException {
        if (ended) {
            return null;
        }
        byte[] data = new byte[width * height * 3];
        int read = stdout.readNBytes(data, 0, data.length);
        if (read < data.length) {
            ended = true;
            finish(read);
            return null;
        }
        long s = seq++;
        return Frame.newBuilder()
                .setCameraId(cameraId)
                .setSeq(s)
                .setCaptureTime(
                        SyntheticScene.EPOCH.plus(SyntheticScene.FRAME_INTERVAL.multipliedBy(s)))
                .setWidth(width)
                .setHeight(height)
                .setFormat(PixelFormat.RGB24)
                .setData(ByteBuffer.wrap(data))
                .setAttributes(Map.of("source", file.toString()))
                .build();
    }

    private void finish(int partial) throws IOException {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("ffmpeg did not exit after the end of " + file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for ffmpeg", e);
        }
        int exit = process.exitValue();
        if (exit != 0 && seq == 0) {
            throw new IOException(
                    "ffmpeg failed (exit " + exit + ") decoding " + file + ": " + errorTail());
        }
        if (partial > 0 && seq == 0) {
            throw new EOFException("ffmpeg produced a partial first frame for " + file);
        }
    }

    private String errorTail() throws IOException {
        String text = Files.readString(stderr, StandardCharsets.UTF_8).strip();
        return text.length() > 500 ? text.substring(text.length() - 500) : text;
    }

    @Override
    public String describe() {
        return "video " + file + " via ffmpeg at " + width + "x" + height;
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stdout.close();
        Files.deleteIfExists(stderr);
    }
}
