package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.HandlerDefinition;
import io.tasker.worker.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the runtime needs of a step event (ids, the handler definition, step name, attempts), read by a pass over
 * the event's bytes that builds nothing, and the bytes themselves. The handler's {@code StepContext} parses them
 * when the handler first reads its context, so neither the thread that polls for everyone nor a handler that reads
 * nothing of its event spends time on a tree.
 *
 * @param initialization the handler's {@code initialization} object, parsed (empty when absent or empty)
 * @param raw            the event's own JSON (UTF-8)
 */
public record EventHeader(
        String eventId,
        String taskUuid,
        String stepUuid,
        String correlationId,
        String taskCorrelationId,
        String callable,
        String method,
        String resolver,
        Map<String, Object> initialization,
        String stepName,
        int attempts,
        byte[] raw) {

    /** The handler definition the registry resolves. */
    HandlerDefinition definition() {
        return new HandlerDefinition(callable, method, resolver, initialization);
    }

    /** One event; null when it is not a JSON object or its header fields cannot be read. */
    public static EventHeader of(byte[] json) {
        Scanner s = new Scanner(json);
        int start = s.ws(0);
        if (s.at(start) != '{') {
            return null;
        }
        return s.header(start);
    }

    /**
     * The events of a batch (a JSON array), in order, read in one pass: an element that is not an object, or whose
     * header fields cannot be read, is null. Null when the text is not an array; throws when it is malformed.
     */
    static List<EventHeader> batch(byte[] json) {
        Scanner s = new Scanner(json);
        int i = s.ws(0);
        if (s.at(i) != '[') {
            return null;
        }
        List<EventHeader> out = new ArrayList<>();
        i = s.ws(i + 1);
        if (s.at(i) == ']') {
            return out;
        }
        while (true) {
            if (s.at(i) == '{') {
                out.add(s.header(i));
                i = s.end;
            } else {
                out.add(null);
                i = s.skip(i);
            }
            i = s.ws(i);
            if (s.at(i) == ']') {
                return out;
            }
            if (s.at(i) != ',') {
                throw new IllegalArgumentException("expected , or ] at " + i);
            }
            i = s.ws(i + 1);
        }
    }

    /**
     * A pass over JSON bytes that tracks strings and nesting only. Malformed input throws; what it accepts is
     * checked again by the full parse on the handler's thread.
     */
    private static final class Scanner {
        private final byte[] b;

        Scanner(byte[] b) {
            this.b = b;
        }

        int at(int i) {
            if (i >= b.length) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
            return b[i];
        }

        int ws(int i) {
            while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
                i++;
            }
            return i;
        }

        /** The end of the value starting at {@code i}. */
        int skip(int i) {
            int c = at(i);
            if (c == '"') {
                return string(i);
            }
            final byte[] a = b;
            final int n = a.length;
            if (c != '{' && c != '[') {
                while (i < n && a[i] != ',' && a[i] != '}' && a[i] != ']' && a[i] > ' ') {
                    i++;
                }
                return i;
            }
            int depth = 0;
            while (i < n) {
                byte x = a[i];
                if (x == '"') {
                    i = string(i);
                    continue;
                }
                if (x == '{' || x == '[') {
                    depth++;
                } else if ((x == '}' || x == ']') && --depth == 0) {
                    return i + 1;
                }
                i++;
            }
            throw new IllegalArgumentException("unexpected end of JSON");
        }

        /** The end of the string starting at {@code i} (its opening quote). */
        int string(int i) {
            final byte[] a = b;
            final int n = a.length;
            i++;
            while (i < n) {
                byte x = a[i];
                if (x == '"') {
                    return i + 1;
                }
                i += x == '\\' ? 2 : 1;
            }
            throw new IllegalArgumentException("unexpected end of JSON");
        }

        /** The text of the string value at {@code [start, end)}, or null for any other value. */
        String text(int start, int end) throws IllegalArgumentException {
            if (b[start] != '"') {
                return null;
            }
            for (int k = start + 1; k < end - 1; k++) {
                if (b[k] == '\\') {
                    try {
                        return Json.MAPPER.readValue(b, start, end - start, String.class);
                    } catch (IOException e) {
                        throw new IllegalArgumentException(e);
                    }
                }
            }
            return new String(b, start + 1, end - start - 2, StandardCharsets.UTF_8);
        }

        /** Whether the key string at {@code [start, end)} is {@code name} (ASCII keys, no escapes). */
        boolean is(int start, int end, String name) {
            int n = end - start - 2;
            if (n != name.length()) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                if (b[start + 1 + k] != name.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** Where the object read by the last {@link #header} call ends. */
        int end;

        /**
         * The header of the event object at {@code start}, null when a field it needs cannot be read; sets
         * {@link #end}. Each byte is looked at once: the members the header needs are read where they stand, the
         * others skipped.
         */
        EventHeader header(int start) {
            String[] t = new String[9];
            int[] attempts = {0};
            int[] init = {-1, -1};
            boolean[] bad = {false};
            end = object(start, (keyStart, keyEnd, valueStart) -> {
                if (is(keyStart, keyEnd, "event_id")) {
                    return text(valueStart, t, 0, bad);
                } else if (is(keyStart, keyEnd, "task_uuid")) {
                    return text(valueStart, t, 1, bad);
                } else if (is(keyStart, keyEnd, "step_uuid")) {
                    return text(valueStart, t, 2, bad);
                } else if (is(keyStart, keyEnd, "correlation_id")) {
                    return text(valueStart, t, 3, bad);
                } else if (is(keyStart, keyEnd, "task_correlation_id")) {
                    return text(valueStart, t, 4, bad);
                } else if (is(keyStart, keyEnd, "step_definition") && b[valueStart] == '{') {
                    return object(valueStart, (k1, k2, v1) -> {
                        if (is(k1, k2, "handler") && b[v1] == '{') {
                            return object(v1, (h1, h2, w1) -> {
                                if (is(h1, h2, "callable")) {
                                    return text(w1, t, 5, bad);
                                } else if (is(h1, h2, "method")) {
                                    return text(w1, t, 6, bad);
                                } else if (is(h1, h2, "resolver")) {
                                    return text(w1, t, 7, bad);
                                }
                                int w2 = skip(w1);
                                if (is(h1, h2, "initialization") && b[w1] == '{') {
                                    init[0] = w1;
                                    init[1] = w2;
                                }
                                return w2;
                            });
                        }
                        return skip(v1);
                    });
                } else if (is(keyStart, keyEnd, "workflow_step") && b[valueStart] == '{') {
                    return object(valueStart, (k1, k2, v1) -> {
                        if (is(k1, k2, "name")) {
                            return text(v1, t, 8, bad);
                        }
                        int v2 = skip(v1);
                        if (is(k1, k2, "attempts")) {
                            attempts[0] = integer(v1, v2);
                        }
                        return v2;
                    });
                }
                return skip(valueStart);
            });
            if (bad[0]) {
                return null;
            }
            Map<String, Object> initialization;
            try {
                initialization = initialization(init[0], init[1]);
            } catch (IllegalArgumentException e) {
                return null;
            }
            byte[] raw = start == 0 && end == b.length ? b : Arrays.copyOfRange(b, start, end);
            return new EventHeader(
                    t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], initialization, t[8], attempts[0], raw);
        }

        /** Reads the value at {@code i} into {@code t[k]} (a string's text, else null); returns its end. */
        int text(int i, String[] t, int k, boolean[] bad) {
            int e = skip(i);
            try {
                t[k] = text(i, e);
            } catch (IllegalArgumentException ex) {
                bad[0] = true;
            }
            return e;
        }

        /** A non-negative integer value, else 0. */
        int integer(int start, int end) {
            int v = 0;
            for (int k = start; k < end; k++) {
                if (b[k] < '0' || b[k] > '9' || v > 100_000_000) {
                    return 0;
                }
                v = v * 10 + (b[k] - '0');
            }
            return v;
        }

        /** The handler's initialization object; parsed only when it has members (usually it is {@code {}}). */
        @SuppressWarnings("unchecked")
        Map<String, Object> initialization(int start, int end) {
            if (start < 0 || ws(start + 1) == end - 1) {
                return Map.of();
            }
            try {
                return Json.MAPPER.readValue(b, start, end - start, Map.class);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        interface Member {
            /** Reads or skips the value at {@code valueStart}; returns its end. */
            int accept(int keyStart, int keyEnd, int valueStart);
        }

        /** Calls {@code member} for each member of the object at {@code i}; returns the object's end. */
        int object(int i, Member member) {
            i = ws(i + 1);
            if (at(i) == '}') {
                return i + 1;
            }
            while (true) {
                if (at(i) != '"') {
                    throw new IllegalArgumentException("expected a key at " + i);
                }
                int keyEnd = string(i);
                int colon = ws(keyEnd);
                if (at(colon) != ':') {
                    throw new IllegalArgumentException("expected : at " + colon);
                }
                int valueStart = ws(colon + 1);
                i = ws(member.accept(i, keyEnd, valueStart));
                if (at(i) == '}') {
                    return i + 1;
                }
                if (at(i) != ',') {
                    throw new IllegalArgumentException("expected , or } at " + i);
                }
                i = ws(i + 1);
            }
        }
    }
}
