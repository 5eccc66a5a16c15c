package dev.deltatok.ingest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from camera URLs and from text that may quote them (ffmpeg's error messages
 * do), so that passwords never reach logs, status lines or frame attributes.
 */
public final class Redaction {

    /** What a password is replaced with. */
    public static final String MASK = "***";

    // scheme://user:password@host -> the password part (up to the last '@' before the path)
    private static final Pattern USERINFO =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*):([^/\\s@]*)@");

    // ?password=...&token=... in query strings
    private static final Pattern SECRET_QUERY =
            Pattern.compile(
                    "([?&;](?:password|passwd|pwd|pass|token|auth|key|secret|access_token)=)([^&;#\\s]*)",
                    Pattern.CASE_INSENSITIVE);

    private Redaction() {}

    /** {@code url} with the password of its user info and secret query values masked. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String out =
                USERINFO.matcher(url)
                        .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
        return SECRET_QUERY
                .matcher(out)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }

    /**
     * {@code text} with every URL in it redacted as by {@link #url}, and every literal occurrence
     * of the secrets of {@code sourceUrl} (its password, percent-decoded or not) masked as well.
     */
    public static String text(String text, String sourceUrl) {
        if (text == null) {
            return null;
        }
        String out = url(text);
        for (String secret : secrets(sourceUrl)) {
            if (secret.length() >= 1) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }

    /**
     * The secret values in {@code url}: its password and secret query values, as written and
     * decoded.
     */
    static java.util.List<String> secrets(String url) {
        java.util.List<String> secrets = new java.util.ArrayList<>();
        if (url == null) {
            return secrets;
        }
        Matcher m = USERINFO.matcher(url);
        while (m.find()) {
            add(secrets, m.group(2));
        }
        Matcher q = SECRET_QUERY.matcher(url);
        while (q.find()) {
            add(secrets, q.group(2));
        }
        return secrets;
    }

    private static void add(java.util.List<String> secrets, String secret) {
        if (secret.isEmpty() || secret.equals(MASK)) {
            return;
        }
        secrets.add(secret);
        try {
            String decoded =
                    java.net.URLDecoder.decode(secret, java.nio.charset.StandardCharsets.UTF_8);
            if (!decoded.equals(secret)) {
                secrets.add(decoded);
            }
        } catch (IllegalArgumentException malformed) {
            // keep the literal form only
        }
    }
}
