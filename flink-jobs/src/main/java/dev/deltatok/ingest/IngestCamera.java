package dev.deltatok.ingest;

import dev.deltatok.eval.FrameSource;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live camera read through an {@code ffmpeg} child process, kept alive: a supervisor thread
 * starts ffmpeg, restarts it when it exits, when no frame came for the stall timeout or when the
 * same image repeated for the frozen timeout, waiting an exponential backoff with jitter between
 * attempts. Frames wait for the publisher in a bounded queue; when it is full the oldest frame is
 * dropped and counted, so a camera faster than Kafka never grows memory. Each frame is a JPEG
 * stamped with this camera's id, a {@code seq} that keeps increasing across reconnects and restarts
 * of the process (the receive time in microseconds since the epoch, bumped by one where two frames
 * share a microsecond) and its capture time: from the stream's timestamps where the source has them
 * ({@link CaptureClock}), else the receive time; the {@code captureTimeSource} attribute says which
 * ({@code stream-pts} or {@code receive}). {@link #next()} is called from one publishing thread;
 * {@link #status()} from any thread.
 */
public final class IngestCamera implements FrameSource {

    private static final Logger LOG = LoggerFactory.getLogger(IngestCamera.class);

    /** How a camera is read; the same for every camera of one {@code ingest}. */
    public record Settings(
            String ffmpeg,
            int width,
            int height,
            int quality,
            double maxFps,
            Duration stallTimeout,
            Duration frozenTimeout,
            Duration backoffInitial,
            Duration backoffMax,
            int queueFrames,
            int maxFrameBytes) {
        public Settings {
            if (queueFrames < 1) {
                throw new IllegalArgumentException("queue must hold at least one frame");
            }
        }
    }

    /** Where the camera's connection stands. */
    public enum State {
        CONNECTING,
        STREAMING,
        BACKOFF,
        STOPPED
    }

    /** A snapshot of the camera's counters; the URL is redacted. */
    public record Status(
            String cameraId,
            String url,
            State state,
            long captured,
            long published,
            long dropped,
            long skippedByFpsCap,
            long reconnects,
            long stalls,
            long frozen,
            String lastError,
            String lastRestart) {}

    private final String cameraId;
    private final String url;
    private final String redactedUrl;
    private final Settings settings;
    private final Clock clock;
    private final Backoff backoff;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final Object lock = new Object();
    private final Thread supervisor;
    private final boolean streamTimestamps;
    // only the reader thread of the current connection uses it
    private final CaptureClock captureClock = new CaptureClock();

    // guarded by lock
    private State state = State.CONNECTING;
    private long captured;
    private long published;
    private long dropped;
    private long skipped;
    private long reconnects;
    private long stalls;
    private long frozen;
    private String lastError;
    private String lastRestart;
    private long lastSeq = Long.MIN_VALUE;
    private long lastFrameNanos;
    private long repeatedSinceNanos;
    private long lastChecksum = -1;
    private long nextDueNanos;
    private Process process;
    private volatile boolean stopped;

    public IngestCamera(
            String cameraId, String url, Settings settings, Clock clock, Random random) {
        this.cameraId = cameraId;
        this.url = url;
        this.redactedUrl = Redaction.url(url);
        this.settings = settings;
        this.clock = clock;
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), 0.2, random);
        this.supervisor = new Thread(this::supervise, "ingest-" + cameraId);
        this.supervisor.setDaemon(true);
        this.streamTimestamps = FfmpegInput.streamTimestamps(url);
    }

    /** Frame timestamps ffmpeg logged on stderr, waiting for their images on stdout. */
    private static final class Timestamps {
        private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
        private final ArrayDeque<FfmpegInput.FrameTimestamp> waiting = new ArrayDeque<>();
        private boolean following;
        private boolean ended;

        synchronized void follow() {
            following = true;
            notifyAll();
        }

        synchronized void add(FfmpegInput.FrameTimestamp t) {
            following = true;
            waiting.addLast(t);
            while (waiting.size() > 256) {
                waiting.pollFirst();
            }
            notifyAll();
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        /**
         * The timestamp of image {@code n} of this run; waits up to a second for its line where
         * ffmpeg logs them (the line comes before the image, but on another pipe).
         *
         * @return microseconds, or null when the image has none
         */
        synchronized Long ptsOf(long n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (true) {
                while (!waiting.isEmpty() && waiting.peekFirst().frame() < n) {
                    waiting.pollFirst();
                }
                if (!waiting.isEmpty()) {
                    FfmpegInput.FrameTimestamp first = waiting.peekFirst();
                    return first.frame() == n ? waiting.pollFirst().ptsMicros() : null;
                }
                long left = deadline - System.nanoTime();
                if (ended || (!following && n > 0) || left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Starts reading the camera; once. */
    public IngestCamera start() {
        supervisor.start();
        return this;
    }

    public String cameraId() {
        return cameraId;
    }

    /** The camera's URL as it may be shown: password masked. */
    public String redactedUrl() {
        return redactedUrl;
    }

    /** Whether {@code url} is the one this camera reads. */
    public boolean reads(String url) {
        return this.url.equals(url);
    }

    @Override
    public String describe() {
        return cameraId + "=" + redactedUrl;
    }

    public Status status() {
        synchronized (lock) {
            return new Status(
                    cameraId,
                    redactedUrl,
                    state,
                    captured,
                    published,
                    dropped,
                    skipped,
                    reconnects,
                    stalls,
                    frozen,
                    lastError,
                    lastRestart);
        }
    }

    /** The oldest waiting frame; blocks until there is one; null once the camera is closed. */
    @Override
    public Frame next() throws IOException {
        synchronized (lock) {
            while (queue.isEmpty()) {
                if (stopped) {
                    return null;
                }
                try {
                    lock.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            published++;
            return queue.pollFirst();
        }
    }

    /** Stops ffmpeg and the supervisor; {@link #next()} returns null from now on. */
    @Override
    public void close() {
        stopped = true;
        supervisor.interrupt();
        synchronized (lock) {
            state = State.STOPPED;
            queue.clear();
            lock.notifyAll();
            if (process != null) {
                process.destroyForcibly();
            }
        }
        try {
            supervisor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void supervise() {
        LOG.info("camera {}: reading {}", cameraId, redactedUrl);
        boolean first = true;
        while (!stopped) {
            if (!first) {
                Duration delay = backoff.nextDelay();
                synchronized (lock) {
                    reconnects++;
                    state = State.BACKOFF;
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(delay.toNanos());
                } catch (InterruptedException e) {
                    break;
                }
            }
            first = false;
            if (stopped) {
                break;
            }
            if (connectOnce()) {
                backoff.reset();
            }
        }
        synchronized (lock) {
            state = State.STOPPED;
            lock.notifyAll();
        }
        LOG.info("camera {}: stopped", cameraId);
    }

    /**
     * Runs ffmpeg until it exits or the watchdog kills it.
     *
     * @return whether the connection delivered at least one frame
     */
    private boolean connectOnce() {
        List<String> command = new ArrayList<>();
        command.add(settings.ffmpeg());
        command.addAll(
                FfmpegInput.args(url, settings.width(), settings.height(), settings.quality()));
        Process p;
        synchronized (lock) {
            state = State.CONNECTING;
            lastFrameNanos = System.nanoTime();
            repeatedSinceNanos = 0;
            lastChecksum = -1;
        }
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            error("cannot run " + settings.ffmpeg() + ": " + e.getMessage());
            return false;
        }
        synchronized (lock) {
            if (stopped) {
                p.destroyForcibly();
                return false;
            }
            process = p;
        }
        long framesBefore = status().captured();
        Timestamps timestamps = streamTimestamps ? new Timestamps() : null;
        Thread stderr =
                new Thread(() -> drainStderr(p, timestamps), "ingest-" + cameraId + "-stderr");
        stderr.setDaemon(true);
        stderr.start();
        Thread reader = new Thread(() -> readFrames(p, timestamps), "ingest-" + cameraId + "-read");
        reader.setDaemon(true);
        reader.start();
        try {
            watch(p, reader);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
                reader.join(5000);
                stderr.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (lock) {
                process = null;
            }
        }
        return status().captured() > framesBefore;
    }

    /** Waits for the process to end, killing it on a stall or a frozen image. */
    private void watch(Process p, Thread reader) throws InterruptedException {
        long stallNanos = settings.stallTimeout().toNanos();
        long frozenNanos = settings.frozenTimeout().toNanos();
        while (!stopped && reader.isAlive()) {
            reader.join(100);
            long now = System.nanoTime();
            synchronized (lock) {
                if (now - lastFrameNanos > stallNanos) {
                    stalls++;
                    lastError =
                            "no frame for "
                                    + settings.stallTimeout().toMillis()
                                    + " ms; restarting the source";
                    lastRestart = lastError;
                    LOG.warn("camera {}: {}", cameraId, lastError);
                    return;
                }
                if (frozenNanos > 0
                        && repeatedSinceNanos != 0
                        && now - repeatedSinceNanos > frozenNanos) {
                    frozen++;
                    lastError =
                            "the same image for "
                                    + settings.frozenTimeout().toMillis()
                                    + " ms (frozen stream); restarting the source";
                    lastRestart = lastError;
                    LOG.warn("camera {}: {}", cameraId, lastError);
                    return;
                }
            }
        }
        if (!stopped && p.waitFor(2, TimeUnit.SECONDS)) {
            int code = p.exitValue();
            synchronized (lock) {
                if (lastError == null || !lastError.startsWith("ffmpeg")) {
                    lastError =
                            "ffmpeg exited with code "
                                    + code
                                    + (lastError == null ? "" : ": " + lastError);
                }
                lastRestart = "ffmpeg exited with code " + code;
            }
        }
    }

    private void readFrames(Process p, Timestamps timestamps) {
        captureClock.reset();
        try (JpegStreamReader in =
                new JpegStreamReader(p.getInputStream(), settings.maxFrameBytes())) {
            JpegStreamReader.Jpeg jpeg;
            long n = 0;
            while (!stopped && (jpeg = in.next()) != null) {
                Long pts = timestamps == null ? null : timestamps.ptsOf(n);
                n++;
                accept(jpeg, System.nanoTime(), pts);
            }
        } catch (IOException e) {
            if (!stopped && p.isAlive()) {
                error("reading ffmpeg's output: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Counts, checks and queues one image from ffmpeg.
     *
     * @param ptsMicros the image's stream timestamp, or null when it has none
     */
    private void accept(JpegStreamReader.Jpeg jpeg, long nowNanos, Long ptsMicros) {
        CRC32 crc = new CRC32();
        crc.update(jpeg.data());
        long checksum = (crc.getValue() << 32) ^ jpeg.data().length;
        Instant received = clock.instant().truncatedTo(ChronoUnit.MICROS);
        CaptureClock.Stamp stamp = captureClock.stamp(ptsMicros, received);
        synchronized (lock) {
            if (stopped) {
                return;
            }
            state = State.STREAMING;
            lastFrameNanos = nowNanos;
            captured++;
            if (checksum == lastChecksum) {
                if (repeatedSinceNanos == 0) {
                    repeatedSinceNanos = nowNanos;
                }
            } else {
                repeatedSinceNanos = 0;
                lastChecksum = checksum;
            }
            if (settings.maxFps() > 0) {
                if (nowNanos - nextDueNanos < 0) {
                    skipped++;
                    return;
                }
                long period = (long) (1e9 / settings.maxFps());
                nextDueNanos = Math.max(nextDueNanos + period, nowNanos);
            }
            // seq follows the receive clock, which only moves forward, whatever the stream's do
            lastSeq = Math.max(lastSeq + 1, CaptureClock.micros(received));
            Frame frame =
                    Frame.newBuilder()
                            .setCameraId(cameraId)
                            .setSeq(lastSeq)
                            .setCaptureTime(stamp.time())
                            .setFormat(PixelFormat.JPEG)
                            .setWidth(jpeg.width())
                            .setHeight(jpeg.height())
                            .setData(ByteBuffer.wrap(jpeg.data()))
                            .setAttributes(
                                    Map.of(
                                            "source",
                                            redactedUrl,
                                            "captureTimeSource",
                                            stamp.source().attribute()))
                            .build();
            if (queue.size() >= settings.queueFrames()) {
                queue.pollFirst();
                dropped++;
            }
            queue.addLast(frame);
            lock.notifyAll();
        }
    }

    /**
     * Reads ffmpeg's stderr: frame timestamps go to {@code timestamps} (when the source has them,
     * ffmpeg logs at level info with level tags), errors to the status.
     */
    private void drainStderr(Process p, Timestamps timestamps) {
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (timestamps != null) {
                    FfmpegInput.FrameTimestamp t = FfmpegInput.frameTimestamp(line);
                    if (t != null) {
                        timestamps.add(t);
                        continue;
                    }
                    if (FfmpegInput.timestampsFollow(line)) {
                        timestamps.follow();
                        continue;
                    }
                }
                String message = FfmpegInput.error(line.strip(), timestamps != null);
                if (message != null) {
                    error("ffmpeg: " + message);
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        } finally {
            if (timestamps != null) {
                timestamps.end();
            }
        }
    }

    private void error(String message) {
        String safe = Redaction.text(message, url);
        if (safe.length() > 300) {
            safe = safe.substring(0, 300) + "...";
        }
        synchronized (lock) {
            lastError = safe;
        }
    }
}
