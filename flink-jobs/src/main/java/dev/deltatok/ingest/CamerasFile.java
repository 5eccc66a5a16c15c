package dev.deltatok.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The cameras {@code deltatok ingest} reads: lines {@code ID=URL} ({@code ID URL} works too), blank
 * lines and {@code #} comments ignored. Ids are 1-128 characters of letters, digits and {@code
 * ._:-}.
 */
public final class CamerasFile {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private CamerasFile() {}

    /** Reads {@code file}; see {@link #parse}. */
    public static Map<String, String> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses camera lines in order.
     *
     * @throws IllegalArgumentException naming the line of a malformed entry, a bad id or an id
     *     given twice (the message never quotes the URL, which may hold a password)
     */
    public static Map<String, String> parse(List<String> lines, String where) {
        Map<String, String> cameras = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            int space = indexOfWhitespace(line);
            int cut = eq < 0 ? space : space < 0 ? eq : Math.min(eq, space);
            if (cut <= 0) {
                throw new IllegalArgumentException(
                        where + ":" + n + ": expected ID=URL, e.g. street=rtsp://host:554/stream");
            }
            String id = line.substring(0, cut).strip();
            String url = line.substring(cut + 1).strip();
            if (url.startsWith("=")) {
                url = url.substring(1).strip();
            }
            put(cameras, id, url, where + ":" + n);
        }
        return cameras;
    }

    /**
     * Adds {@code id -> url} to {@code cameras}.
     *
     * @throws IllegalArgumentException for a bad id, an empty URL or an id already there
     */
    public static void put(Map<String, String> cameras, String id, String url, String where) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    where + ": camera id '" + id + "' must be 1-128 letters, digits or . _ : -");
        }
        if (url.isEmpty()) {
            throw new IllegalArgumentException(where + ": camera " + id + " has no URL");
        }
        if (cameras.putIfAbsent(id, url) != null) {
            throw new IllegalArgumentException(where + ": camera " + id + " is given twice");
        }
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
