package dev.deltatok.kafka;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises Kafka client settings that hold credentials and blanks them out of text meant for
 * people: messages, logs, summaries.
 */
public final class Secrets {
    private Secrets() {}

    /** What a secret is shown as. */
    public static final String MASK = "***";

    /**
     * Whether a client setting holds a credential: {@code sasl.jaas.config}, anything naming a
     * password or secret ({@code ssl.keystore.password}, {@code ssl.key.password}, {@code
     * sasl.oauthbearer.client.credentials.client.secret}), inline keys and certificates ({@code
     * ssl.keystore.key}, {@code ssl.keystore.certificate.chain}) and tokens.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("jaas")
                || k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("credential")
                || k.equals("ssl.keystore.key")
                || k.endsWith(".certificate.chain")
                || k.endsWith(".certificates");
    }

    // key="value" or key=value inside a JAAS line, a properties dump or a message
    private static final Pattern ASSIGNMENT =
            Pattern.compile(
                    "(?i)([\\w.-]*(?:password|secret|token|jaas\\.config)[\\w.-]*\\s*[=:]\\s*)"
                            + "(\"[^\"]*\"|'[^']*'|[^\\s,;}\\]]+)");

    /**
     * Blanks out every {@code password=...}, {@code secret: ...}, {@code sasl.jaas.config=...}
     * assignment in {@code text}; for messages that may quote a setting or a JAAS line.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = ASSIGNMENT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(2);
            String masked = value.startsWith("\"") ? "\"" + MASK + "\"" : MASK;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked));
        }
        m.appendTail(out);
        return out.toString();
    }
}
