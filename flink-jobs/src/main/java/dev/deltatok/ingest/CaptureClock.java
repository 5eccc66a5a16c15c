package dev.deltatok.ingest;

import java.time.Duration;
import java.time.Instant;

/**
 * Turns one connection's frame timestamps into capture times. Where the stream has timestamps (RTP
 * for RTSP, the container's for files and HLS, the driver's for v4l2), a frame's capture time is
 * the stream's timestamp placed on the receive clock: {@code pts + anchor}, where the anchor is the
 * smallest {@code received - pts} seen so far, so that no frame is captured after it arrived and
 * frames delayed more than the least delayed one (a network stall, an HLS segment) keep the spacing
 * the camera gave them. The first burst of a connection (what ffmpeg buffers while it probes a
 * stream) lowers the anchor with every frame, so those frames keep their receive times. A timestamp
 * that goes back, or drifts from the receive clock by more than {@link #MAX_DRIFT}, starts a new
 * anchor (a camera restart, a file looping without continuous timestamps). Frames without a
 * timestamp get their receive time. Not thread-safe: one reader thread per connection.
 */
final class CaptureClock {

    /** Where a capture time came from, as the frame's {@code captureTimeSource} attribute. */
    enum Source {
        /** The stream's timestamps, anchored to the receive clock. */
        STREAM_PTS("stream-pts"),
        /** When ingest received the frame from ffmpeg. */
        RECEIVE("receive");

        private final String attribute;

        Source(String attribute) {
            this.attribute = attribute;
        }

        String attribute() {
            return attribute;
        }
    }

    /** A frame's capture time and where it came from. */
    record Stamp(Instant time, Source source) {}

    static final Duration MAX_DRIFT = Duration.ofSeconds(5);

    private static final long MAX_DRIFT_MICROS = MAX_DRIFT.toNanos() / 1000;

    private boolean anchored;
    private long anchorMicros;
    private long lastPtsMicros;
    private long lastCaptureMicros = Long.MIN_VALUE;

    /** Forgets the anchor: the next connection's timestamps start anew. */
    void reset() {
        anchored = false;
        lastCaptureMicros = Long.MIN_VALUE;
    }

    /**
     * @param ptsMicros the frame's stream timestamp in microseconds, or null when it has none
     * @param received when the frame was received
     */
    Stamp stamp(Long ptsMicros, Instant received) {
        long receivedMicros = micros(received);
        if (ptsMicros == null) {
            return new Stamp(received, Source.RECEIVE);
        }
        long pts = ptsMicros;
        long offset = receivedMicros - pts;
        if (!anchored
                || pts < lastPtsMicros
                || Math.abs(pts + anchorMicros - receivedMicros) > MAX_DRIFT_MICROS) {
            anchored = true;
            anchorMicros = offset;
            lastCaptureMicros = Long.MIN_VALUE;
        } else {
            anchorMicros = Math.min(anchorMicros, offset);
        }
        lastPtsMicros = pts;
        // A lower anchor must not take a capture time back past the previous frame's.
        long capture =
                lastCaptureMicros == Long.MIN_VALUE
                        ? pts + anchorMicros
                        : Math.max(pts + anchorMicros, lastCaptureMicros + 1);
        capture = Math.min(capture, receivedMicros);
        lastCaptureMicros = capture;
        return new Stamp(
                Instant.ofEpochSecond(
                        Math.floorDiv(capture, 1_000_000L),
                        Math.floorMod(capture, 1_000_000L) * 1000L),
                Source.STREAM_PTS);
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
