package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tasker.worker.internal.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What dispatch needs of a step event before its handler runs (ids, handler, step name), read with the streaming
 * parser without building the event's tree. The full tree is parsed on the handler's thread ({@link InFlightStep}),
 * so the thread that polls for everyone does not spend its time on it.
 *
 * @param raw the event's own JSON (UTF-8)
 */
record EventHeader(String eventId, String taskUuid, String stepUuid, String callable, String stepName, byte[] raw) {

    /** One event; null when it is not a JSON object. */
    static EventHeader of(byte[] json) throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            return read(p, json, 0, false);
        }
    }

    /** The events of a JSON array; null when it is not an array. An element that is not an object is null. */
    static List<EventHeader> ofArray(byte[] json) throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<EventHeader> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                if (t == JsonToken.START_OBJECT) {
                    out.add(read(p, json, (int) p.currentTokenLocation().getByteOffset(), true));
                } else {
                    p.skipChildren();
                    out.add(null);
                }
            }
            return out;
        }
    }

    /** Reads one object, the parser on its START_OBJECT; copies the object's bytes when it is part of a larger text. */
    private static EventHeader read(JsonParser p, byte[] json, int start, boolean copy) throws IOException {
        String eventId = null;
        String taskUuid = null;
        String stepUuid = null;
        String callable = null;
        String stepName = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "event_id" -> eventId = text(p, value);
                case "task_uuid" -> taskUuid = text(p, value);
                case "step_uuid" -> stepUuid = text(p, value);
                case "step_definition" -> callable = nested(p, value, "handler", "callable");
                case "workflow_step" -> stepName = nested(p, value, "name", null);
                default -> p.skipChildren();
            }
        }
        byte[] raw =
                copy ? Arrays.copyOfRange(json, start, (int) p.currentLocation().getByteOffset()) : json;
        return new EventHeader(eventId, taskUuid, stepUuid, callable, stepName, raw);
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getValueAsString();
        }
        p.skipChildren();
        return null;
    }

    /** {@code object[first]} (a scalar), or {@code object[first][second]} when {@code second} is given. */
    private static String nested(JsonParser p, JsonToken value, String first, String second) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals(first)) {
                found = second == null ? text(p, v) : nested(p, v, second, null);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
