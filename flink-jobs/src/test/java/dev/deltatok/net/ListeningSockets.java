package dev.deltatok.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process and its descendants listen on, read from Linux's {@code /proc} (no
 * {@code ss} or {@code netstat} needed): the socket inodes of {@code /proc/PID/fd} matched with the
 * LISTEN entries of {@code /proc/net/tcp} and {@code /proc/net/tcp6}.
 */
public final class ListeningSockets {
    private ListeningSockets() {}

    /** A listening socket: its address and port, and the process that holds it. */
    public record Listener(InetAddress address, int port, long pid) {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port + " (pid " + pid + ")";
        }
    }

    private static final String LISTEN = "0A";

    /** The listening sockets of this JVM and of every process it started, directly or not. */
    public static List<Listener> ofThisProcessAndDescendants() throws IOException {
        Map<Long, Long> inodeToPid = new HashMap<>();
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
        for (long pid : pids) {
            for (long inode : socketInodes(pid)) {
                inodeToPid.put(inode, pid);
            }
        }
        List<Listener> listeners = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals(LISTEN)) {
                    continue;
                }
                Long pid = inodeToPid.get(Long.parseLong(f[9]));
                if (pid == null) {
                    continue;
                }
                String[] local = f[1].split(":");
                listeners.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16), pid));
            }
        }
        return listeners;
    }

    private static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(
                    fd -> {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            if (target.startsWith("socket:[")) {
                                inodes.add(
                                        Long.parseLong(target.substring(8, target.length() - 1)));
                            }
                        } catch (IOException | UnsupportedOperationException closed) {
                            // the descriptor closed while we listed them
                        }
                    });
        } catch (IOException gone) {
            // the process ended while we listed them
        }
        return inodes;
    }

    /**
     * /proc writes an address as the hex of its 32-bit words, each in the host's (little-endian)
     * byte order: 127.0.0.1 is {@code 0100007F}.
     */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + (3 - b)) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes);
    }
}
