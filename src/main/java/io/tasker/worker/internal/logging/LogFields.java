package io.tasker.worker.internal.logging;

import io.tasker.worker.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's field rule (docs/ffi-contract.md §4.4, R9): {@code log_*} takes a map of strings only and silently drops the whole
 * map if any value is something else. So every value becomes a string here — text as is, numbers and booleans by
 * {@code toString}, maps, lists and other objects as JSON — and {@code null} values (and keys) are dropped.
 */
public final class LogFields {

    private LogFields() {}

    public static Map<String, String> stringify(Map<String, ?> fields) {
        if (fields == null || fields.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, asString(v));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** One value as the engine wants it. */
    public static String asString(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number
                || value instanceof Boolean
                || value instanceof Character
                || value instanceof Enum<?>
                || value instanceof java.time.temporal.TemporalAccessor
                || value instanceof java.util.UUID
                || value instanceof CharSequence) {
            return value.toString();
        }
        try {
            return Json.write(value);
        } catch (RuntimeException e) {
            return String.valueOf(value);
        }
    }
}
