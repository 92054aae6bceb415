package io.tasker.worker.internal.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tasker.worker.api.logging.TaskerLog;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The engine's string-only field rule (docs/ffi-contract.md §4.4, R9). */
class LogFieldsTest {

    enum Color {
        RED
    }

    @Test
    void everyValueBecomesAStringAndNullsAreDropped() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("s", "text");
        in.put("i", 42);
        in.put("d", 1.5);
        in.put("b", true);
        in.put("n", null);
        in.put("e", Color.RED);
        in.put("t", Instant.parse("2026-01-02T03:04:05Z"));
        in.put("u", UUID.fromString("00000000-0000-0000-0000-000000000001"));
        in.put("m", Map.of("k", 1));
        in.put("l", List.of(1, "two"));
        in.put(null, "no key");
        Map<String, String> out = LogFields.stringify(in);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("s", "text");
        expected.put("i", "42");
        expected.put("d", "1.5");
        expected.put("b", "true");
        expected.put("e", "RED");
        expected.put("t", "2026-01-02T03:04:05Z");
        expected.put("u", "00000000-0000-0000-0000-000000000001");
        expected.put("m", "{\"k\":1}");
        expected.put("l", "[1,\"two\"]");
        assertEquals(expected, out);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(out.keySet()));
    }

    @Test
    void emptyAndNullMaps() {
        assertEquals(Map.of(), LogFields.stringify(null));
        assertEquals(Map.of(), LogFields.stringify(new HashMap<>()));
        assertEquals(Map.of("a", "1"), TaskerLog.toStringFields(Map.of("a", 1)));
    }
}
