package dev.deltatok.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    private FfmpegInput() {}

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
     * The arguments after the executable.
     *
     * @param width output width, or 0 to keep the source's size
     * @param height output height, or 0 to keep the source's size
     * @param quality JPEG quality for ffmpeg's {@code -q:v}, 2 (best) to 31
     */
    public static List<String> args(String url, int width, int height, int quality) {
        List<String> args =
                new ArrayList<>(List.of("-hide_banner", "-nostdin", "-loglevel", "error"));
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
        if (width > 0 && height > 0) {
            args.addAll(List.of("-vf", "scale=" + width + ":" + height));
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
