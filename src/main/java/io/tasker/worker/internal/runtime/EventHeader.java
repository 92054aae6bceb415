package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What dispatch needs of a step event before its handler runs (ids, handler, step name), and the event's bytes.
 *
 * <p>An event that goes to another thread is only scanned here, a pass over its bytes that builds nothing, and
 * its tree is parsed on the thread that runs it ({@link InFlightStep}): the thread that polls for everyone does not
 * spend its time on trees. An event the polling thread runs itself is parsed at once, since that thread parses it
 * either way ({@link #parse}).
 *
 * @param raw  the event's own JSON (UTF-8)
 * @param tree the parsed event, when already parsed; else null
 */
record EventHeader(
        String eventId,
        String taskUuid,
        String stepUuid,
        String callable,
        String stepName,
        byte[] raw,
        ObjectNode tree) {

    /** The event parsed into its tree; null when it is not a JSON object. */
    static EventHeader parse(byte[] json, int start, int end) throws IOException {
        JsonNode node = Json.MAPPER.readTree(json, start, end - start);
        if (!(node instanceof ObjectNode event)) {
            return null;
        }
        byte[] raw = start == 0 && end == json.length ? json : Arrays.copyOfRange(json, start, end);
        JsonNode handler = event.path("step_definition").path("handler");
        return new EventHeader(
                text(event.get("event_id")),
                text(event.get("task_uuid")),
                text(event.get("step_uuid")),
                text(handler.get("callable")),
                text(event.path("workflow_step").get("name")),
                raw,
                event);
    }

    /** One event, scanned; null when it is not a JSON object. */
    static EventHeader of(byte[] json) {
        Scanner s = new Scanner(json);
        int start = s.ws(0);
        return s.at(start) == '{' ? s.header(start, s.skip(start)) : null;
    }

    /**
     * The spans of the elements of a JSON array: {@code [start, end)} pairs, flattened. Null when the text is not
     * an array.
     */
    static int[] spans(byte[] json) {
        Scanner s = new Scanner(json);
        int i = s.ws(0);
        if (s.at(i) != '[') {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        i = s.ws(i + 1);
        if (s.at(i) == ']') {
            return new int[0];
        }
        while (true) {
            int end = s.skip(i);
            out.add(i);
            out.add(end);
            i = s.ws(end);
            if (s.at(i) == ']') {
                break;
            }
            if (s.at(i) != ',') {
                throw new IllegalArgumentException("expected , or ] at " + i);
            }
            i = s.ws(i + 1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The element at {@code [start, end)} of {@link #spans}: scanned, or parsed when {@code parse}. */
    static EventHeader element(byte[] json, int start, int end, boolean parse) throws IOException {
        if (json[start] != '{') {
            return null;
        }
        if (parse) {
            return parse(json, start, end);
        }
        return new Scanner(json).header(start, end);
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
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
            if (c != '{' && c != '[') {
                while (i < b.length && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] > ' ') {
                    i++;
                }
                return i;
            }
            int depth = 0;
            while (true) {
                c = at(i);
                if (c == '"') {
                    i = string(i);
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
        }

        /** The end of the string starting at {@code i} (its opening quote). */
        int string(int i) {
            i++;
            while (true) {
                int c = at(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '"') {
                    return i + 1;
                } else {
                    i++;
                }
            }
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

        EventHeader header(int start, int end) {
            String[] top = new String[5];
            object(start, (keyStart, keyEnd, valueStart, valueEnd) -> {
                if (is(keyStart, keyEnd, "event_id")) {
                    top[0] = text(valueStart, valueEnd);
                } else if (is(keyStart, keyEnd, "task_uuid")) {
                    top[1] = text(valueStart, valueEnd);
                } else if (is(keyStart, keyEnd, "step_uuid")) {
                    top[2] = text(valueStart, valueEnd);
                } else if (is(keyStart, keyEnd, "step_definition") && b[valueStart] == '{') {
                    object(valueStart, (k1, k2, v1, v2) -> {
                        if (is(k1, k2, "handler") && b[v1] == '{') {
                            object(v1, (h1, h2, w1, w2) -> {
                                if (is(h1, h2, "callable")) {
                                    top[3] = text(w1, w2);
                                }
                            });
                        }
                    });
                } else if (is(keyStart, keyEnd, "workflow_step") && b[valueStart] == '{') {
                    object(valueStart, (k1, k2, v1, v2) -> {
                        if (is(k1, k2, "name")) {
                            top[4] = text(v1, v2);
                        }
                    });
                }
            });
            byte[] raw = start == 0 && end == b.length ? b : Arrays.copyOfRange(b, start, end);
            return new EventHeader(top[0], top[1], top[2], top[3], top[4], raw, null);
        }

        interface Member {
            void accept(int keyStart, int keyEnd, int valueStart, int valueEnd);
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
                int valueEnd = skip(valueStart);
                member.accept(i, keyEnd, valueStart, valueEnd);
                i = ws(valueEnd);
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
