package dev.deltatok.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real live cameras for tests, each a child process that can be killed (an outage) and started
 * again on the same port: ffmpeg serving a clip as HTTP multipart JPEG, Debian's GStreamer RTSP
 * server serving it as H.264 over RTSP. A missing tool fails the test with its name.
 */
public final class TestCameraServers {

    private TestCameraServers() {}

    /** A moving test clip (ffmpeg's testsrc2), {@code seconds} long, as H.264 MP4. */
    public static Path clip(Path dir, int width, int height, int fps, int seconds)
            throws IOException, InterruptedException {
        Path clip = dir.resolve("clip-" + width + "x" + height + ".mp4");
        ffmpeg(
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                "-t",
                Integer.toString(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                clip.toString());
        return clip;
    }

    /** One still image as PNG: a source that serves a frozen picture. */
    public static Path still(Path dir, int width, int height)
            throws IOException, InterruptedException {
        Path still = dir.resolve("still.png");
        ffmpeg(
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=" + width + "x" + height,
                "-frames:v",
                "1",
                still.toString());
        return still;
    }

    private static void ffmpeg(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffmpeg " + String.join(" ", args) + " failed: " + out);
        }
    }

    /**
     * A free TCP port on 127.0.0.1, below the kernel's ephemeral range. A camera server is killed
     * and started again on its port; a port from the ephemeral range could meanwhile be taken as
     * the source port of an outgoing connection (the ingest's own reconnect can even connect to
     * itself there), and the server could not listen again.
     */
    public static int freePort() throws IOException {
        int below = ephemeralLow();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 10_000 + ThreadLocalRandom.current().nextInt(below - 10_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 10000 and " + below);
    }

    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low > 11_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** A server child process; {@link #close()} kills it. */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final String url;

        private Server(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        /** The camera's URL, without credentials. */
        public String url() {
            return url;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Kills the server at once, as a camera or network outage does. */
        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * ffmpeg serving {@code input} (looped, in real time) as an HTTP MJPEG camera at
     * http://127.0.0.1:PORT/cam.mjpg. It serves one client and exits when that client leaves.
     */
    public static Server mjpeg(Path input, int port) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin"));
        if (input.toString().endsWith(".png")) {
            command.addAll(List.of("-re", "-loop", "1", "-framerate", "10"));
        } else {
            command.addAll(List.of("-re", "-stream_loop", "-1"));
        }
        String url = "http://127.0.0.1:" + port + "/cam.mjpg";
        command.addAll(
                List.of(
                        "-i",
                        input.toString(),
                        "-an",
                        "-c:v",
                        "mjpeg",
                        "-q:v",
                        "5",
                        "-f",
                        "mpjpeg",
                        "-listen",
                        "1",
                        url));
        Path log = Files.createTempFile("mjpeg-server-", ".log");
        log.toFile().deleteOnExit();
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        awaitListening(p, port, "ffmpeg MJPEG server", log);
        return new Server(p, url);
    }

    /** Debian's GStreamer RTSP server serving {@code clip} at rtsp://127.0.0.1:PORT/cam. */
    public static Server rtsp(Path dir, Path clip, int port)
            throws IOException, InterruptedException {
        Path script = dir.resolve("rtsp_server.py");
        try (InputStream in =
                TestCameraServers.class.getResourceAsStream("/ingest/rtsp_server.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                script.toString(),
                                clip.toString(),
                                Integer.toString(port))
                        .redirectErrorStream(true)
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new IOException(
                    "the GStreamer RTSP server did not start (install python3-gi"
                            + " gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp"
                            + " gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly): "
                            + first);
        }
        Thread drain =
                new Thread(
                        () -> {
                            try {
                                out.transferTo(java.io.Writer.nullWriter());
                            } catch (IOException ignored) {
                                // the server is gone
                            }
                        });
        drain.setDaemon(true);
        drain.start();
        return new Server(p, "rtsp://127.0.0.1:" + port + "/cam");
    }

    private static void awaitListening(Process p, int port, String what, Path log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(
                        what + " exited with code " + p.exitValue() + ": " + Files.readString(log));
            }
            // a connect would be taken as the one client, so look at the listening sockets instead
            if (listening(port)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        p.destroyForcibly();
        throw new IOException(what + " is not listening on " + port + ": " + Files.readString(log));
    }

    /**
     * Whether something serves on 127.0.0.1:port, from /proc/net/tcp (no connection made): a
     * listening socket, or an accepted connection on that local port. ffmpeg's {@code -listen 1}
     * closes its listening socket once it accepts its one client, and a reconnecting ingest can
     * connect between two looks, so the connection counts as well.
     */
    private static boolean listening(int port) throws IOException {
        String hex = String.format(":%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            // sl local_address rem_address st; st 0A = LISTEN, 01 = ESTABLISHED
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].endsWith(hex) && (f[3].equals("0A") || f[3].equals("01"))) {
                return true;
            }
        }
        return false;
    }
}
