package io.tasker.worker.api.domain;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Event-name patterns as subscribers write them: {@code *} alone matches everything; otherwise the pattern is a glob
 * where {@code *} stands for any run of characters (dots included) and everything else is literal, anchored at both
 * ends: {@code order.*} matches {@code order.created} and {@code order.item.added}, not {@code reorder.created}.
 */
public final class EventPatterns {

    private EventPatterns() {}

    /** Whether {@code eventName} matches {@code pattern}. */
    public static boolean matches(String pattern, String eventName) {
        if (pattern == null || eventName == null) {
            return false;
        }
        if ("*".equals(pattern)) {
            return true;
        }
        return compile(pattern).matcher(eventName).matches();
    }

    /** Whether any pattern matches. */
    public static boolean matchesAny(Collection<String> patterns, String eventName) {
        for (String p : patterns) {
            if (matches(p, eventName)) {
                return true;
            }
        }
        return false;
    }

    /** The anchored regular expression for a glob. */
    public static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder("^");
        int from = 0;
        for (int i = glob.indexOf('*'); i >= 0; i = glob.indexOf('*', from)) {
            regex.append(Pattern.quote(glob.substring(from, i))).append(".*");
            from = i + 1;
        }
        regex.append(Pattern.quote(glob.substring(from))).append('$');
        return Pattern.compile(regex.toString());
    }
}
