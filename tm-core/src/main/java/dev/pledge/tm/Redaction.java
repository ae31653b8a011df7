package dev.pledge.tm;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides credentials in text that Pledge prints: every message, log line and {@code toString} that
 * shows a URL or a configuration value goes through here, so that a password never reaches a log
 * file or a terminal. Shared by Pledge's modules; applications rarely need it.
 */
public final class Redaction {
    /** What a hidden value is replaced with. */
    public static final String HIDDEN = "****";
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "pwd", "secret", "credential", "token");
    /** {@code scheme://user:password@host}: the password part. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@:;]*:)([^/?#@]*)(@)");
    /** {@code ?key=value}, {@code &key=value}, {@code ;key=value}, {@code :key=value} (DB2) with a secret key. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;:,]\\s*)([A-Za-z0-9_.\\-]+)(\\s*=\\s*)([^&;,]*)");

    private Redaction() {
    }

    /** True when a configuration key names a secret (password, passwd, pwd, secret, credential, token; any case). */
    public static boolean isSecretKey(String key) {
        if (key == null) {
            return false;
        }
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** {@code value}, or {@link #HIDDEN} when {@code key} names a secret. */
    public static String value(String key, String value) {
        return isSecretKey(key) && value != null && !value.isEmpty() ? HIDDEN : value;
    }

    /** {@code url} with the password of its user info and the values of its secret parameters hidden. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String out = USER_INFO.matcher(url).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN) + "$3");
        Matcher m = PARAMETER.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement = isSecretKey(m.group(2)) ? m.group(1) + m.group(2) + m.group(3) + HIDDEN : m.group();
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
