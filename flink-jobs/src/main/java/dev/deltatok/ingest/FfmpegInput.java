package dev.deltatok.ingest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ffmpeg} command line that reads one camera and writes its frames as back-to-back JPEG
 * images on stdout: RTSP over TCP, HTTP(S) (MJPEG, HLS), v4l2 devices, video files played at their
 * own rate and looped, anything else ffmpeg opens by URL.
 */
public final class FfmpegInput {

    /** What kind of source a camera URL names. */
    public enum Kind {
        RTSP,
        HTTP,
        DEVICE,
        FILE,
        OTHER
    }

    private static final Pattern SHOWINFO =
            Pattern.compile(
                    "\\[Parsed_showinfo[^]]*] \\[info] n:\\s*(\\d+) pts:\\s*\\S+ pts_time:(\\S+)");

    private static final Pattern LEVEL = Pattern.compile("\\[(panic|fatal|error)] ");

    /**
     * One frame's number and timestamp as {@code showinfo} logged it.
     *
     * @param frame the frame's number in this ffmpeg run, from 0 (the n-th image on stdout)
     * @param ptsMicros its timestamp in microseconds, or null when it has none
     */
    public record FrameTimestamp(long frame, Long ptsMicros) {}

    private FfmpegInput() {}

    /** The frame timestamp a stderr line logs, or null when it logs something else. */
    public static FrameTimestamp frameTimestamp(String line) {
        Matcher m = SHOWINFO.matcher(line);
        if (!m.find()) {
            return null;
        }
        Long micros = null;
        try {
            micros =
                    new BigDecimal(m.group(2))
                            .movePointRight(6)
                            .setScale(0, RoundingMode.HALF_EVEN)
                            .longValueExact();
        } catch (NumberFormatException | ArithmeticException noPts) {
            // NOPTS
        }
        return new FrameTimestamp(Long.parseLong(m.group(1)), micros);
    }

    /** Whether a stderr line logged with a level tag says that showinfo is set up. */
    public static boolean timestampsFollow(String line) {
        return line.contains("[Parsed_showinfo") && line.contains("config in time_base");
    }

    /**
     * The error a stderr line reports, without its level tag; null for a line at a lower level.
     * Lines without a level tag (ffmpeg run with {@code -loglevel error}) are all errors.
     */
    public static String error(String line, boolean levelTagged) {
        if (!levelTagged) {
            return line;
        }
        Matcher m = LEVEL.matcher(line);
        if (!m.find()) {
            return null;
        }
        return (line.substring(0, m.start()) + line.substring(m.end())).strip();
    }

    public static Kind kind(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("rtsp://") || lower.startsWith("rtsps://")) {
            return Kind.RTSP;
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return Kind.HTTP;
        }
        if (lower.startsWith("v4l2:") || lower.startsWith("/dev/video")) {
            return Kind.DEVICE;
        }
        if (lower.startsWith("file:") || !lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            return Kind.FILE;
        }
        return Kind.OTHER;
    }

    /**
     * Whether frames of this source carry timestamps of the camera's own timing: RTP timestamps for
     * RTSP, the container's for files, HLS playlists ({@code .m3u8}) and other stream URLs, the
     * driver's for v4l2. HTTP MJPEG has none (ffmpeg makes them up from a nominal rate), so its
     * frames are stamped when they arrive.
     */
    public static boolean streamTimestamps(String url) {
        if (kind(url) != Kind.HTTP) {
            return true;
        }
        String path = url;
        int cut = path.indexOf('?');
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        return path.toLowerCase(Locale.ROOT).endsWith(".m3u8");
    }

    /**
     * The arguments after the executable. Where the source has {@link #streamTimestamps} ffmpeg
     * also logs each output frame's number and timestamp on stderr ({@code showinfo} at level info,
     * every line tagged with its level), which {@link #frameTimestamp} reads back.
     *
     * @param width output width, or 0 to keep the source's size
     * @param height output height, or 0 to keep the source's size
     * @param quality JPEG quality for ffmpeg's {@code -q:v}, 2 (best) to 31
     */
    public static List<String> args(String url, int width, int height, int quality) {
        boolean timestamps = streamTimestamps(url);
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "-hide_banner",
                                "-nostdin",
                                "-nostats",
                                "-loglevel",
                                timestamps ? "level+info" : "error"));
        switch (kind(url)) {
            case RTSP -> args.addAll(List.of("-rtsp_transport", "tcp", "-i", url));
            case DEVICE ->
                    args.addAll(
                            List.of(
                                    "-f",
                                    "v4l2",
                                    "-i",
                                    url.startsWith("v4l2:") ? url.substring(5) : url));
            case FILE ->
                    args.addAll(
                            List.of(
                                    "-re",
                                    "-stream_loop",
                                    "-1",
                                    "-i",
                                    url.startsWith("file:") ? url.substring(5) : url));
            default -> args.addAll(List.of("-i", url));
        }
        args.addAll(List.of("-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough"));
        List<String> filters = new ArrayList<>();
        if (width > 0 && height > 0) {
            filters.add("scale=" + width + ":" + height);
        }
        if (timestamps) {
            filters.add("showinfo=checksum=0");
        }
        if (!filters.isEmpty()) {
            args.addAll(List.of("-vf", String.join(",", filters)));
        }
        args.addAll(
                List.of(
                        "-f",
                        "image2pipe",
                        "-c:v",
                        "mjpeg",
                        "-pix_fmt",
                        "yuvj420p",
                        "-q:v",
                        Integer.toString(quality),
                        "-"));
        return args;
    }
}
