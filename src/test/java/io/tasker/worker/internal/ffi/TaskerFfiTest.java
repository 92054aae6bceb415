package io.tasker.worker.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import io.tasker.worker.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binding: extension detection, the byte forms of the per-step calls, and string ownership. */
class TaskerFfiTest {

    private static final String TEMPLATE = "name: ffi_one\nnamespace_name: ffi\nversion: 1.0.0\nsteps:\n"
            + "  - name: only\n    handler: { callable: ffi.only }\n";

    @Test
    void onlyALibraryExportingAllThreeExtensionsCountsAsExtended() {
        TaskerFfi engine = LibraryLocator.standard(null).load();
        assertTrue(DirectNative.exportsExtensions(NativeLibrary.getInstance(engine.path())));
        assertTrue(engine.hasExtensions());
        assertFalse(LibraryLocator.standard(null).load(false).hasExtensions(), "turned off by the setting");
        // The math library exports none of them: how a plain-ABI library is told apart. (Not "c": JNA resolves
        // that name in the whole process, where the engine is loaded.)
        assertFalse(DirectNative.exportsExtensions(NativeLibrary.getInstance("m")));
    }

    @Test
    void argumentsAreNulTerminatedUtf8() {
        assertArrayEquals(new byte[] {'a', (byte) 0xc3, (byte) 0xa9, 0}, TaskerFfi.nul("aé"));
        assertNull(TaskerFfi.nul(null));
    }

    @Test
    void batchAnswersAreReadStrictly() {
        assertArrayEquals(new boolean[] {true, false, true}, TaskerFfi.flags(bytes("[1,0,1]"), 3));
        assertArrayEquals(new boolean[0], TaskerFfi.flags(bytes("[]"), 0));
        assertNull(TaskerFfi.flags(bytes("[1,0]"), 3), "too few");
        assertNull(TaskerFfi.flags(bytes("[1,0,1,1]"), 3), "too many");
        assertNull(TaskerFfi.flags(bytes("[1,,0]"), 2));
        assertNull(TaskerFfi.flags(bytes("[10]"), 2));
        assertNull(TaskerFfi.flags(bytes("{\"success\":false}"), 1));
    }

    @Test
    void theBytePathsRoundTripAndFreeEveryString() {
        TaskerFfi ffi = LibraryLocator.standard(null).load();
        String boot = ffi.bootstrapWorker(Json.write(Map.of(
                "worker_id",
                "ffi-test",
                "templates",
                List.of(Map.of("source", "one.yaml", "yaml", TEMPLATE)),
                "engine",
                Map.of("data_dir", ""))));
        assertTrue(boot.contains("\"started\""), boot);
        try {
            for (int i = 0; i < 3; i++) {
                String created = ffi.clientCreateTask(Json.write(Map.of(
                        "name",
                        "ffi_one",
                        "namespace",
                        "ffi",
                        "version",
                        "1.0.0",
                        "context",
                        Map.of("i", i),
                        "initiator",
                        "t",
                        "source_system",
                        "t",
                        "reason",
                        "t")));
                assertTrue(created.startsWith("{\"success\":true"), created);
            }
            byte[] single = ffi.pollStepEventBytes();
            byte[] batch = ffi.pollStepEventsBatch(10);
            assertNull(ffi.pollStepEventsBatch(10), "nothing left");
            var events = new java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode>();
            events.add(Json.parse(new String(single, StandardCharsets.UTF_8)));
            Json.parse(new String(batch, StandardCharsets.UTF_8)).forEach(events::add);
            assertEquals(3, events.size());

            StringBuilder items = new StringBuilder("[");
            for (var e : events) {
                items.append(items.length() > 1 ? "," : "")
                        .append("[\"")
                        .append(e.path("event_id").asText())
                        .append("\",{\"step_uuid\":\"")
                        .append(e.path("step_uuid").asText())
                        .append("\",\"success\":true,\"status\":\"completed\",\"result\":{},"
                                + "\"metadata\":{\"execution_time_ms\":0,\"retryable\":false}}]");
            }
            items.append(",[\"").append(events.get(0).path("event_id").asText()).append("\",{}]]");
            assertArrayEquals(
                    new boolean[] {true, true, true, false},
                    ffi.completeStepEventsBatch(TaskerFfi.nul(items.toString()), 4),
                    "the repeated event is refused on its own");
            assertNull(ffi.completeStepEventsBatch(TaskerFfi.nul("[[\"x\""), 1), "an unreadable batch");
            assertEquals(1, ffi.waitForStepEvents(20), "completions happened since the empty poll: poll again");
            assertNull(ffi.pollStepEventBytes());
            assertEquals(0, ffi.waitForStepEvents(20), "nothing happened since that empty poll");
        } finally {
            ffi.transitionToGracefulShutdown();
            ffi.stopWorker();
        }
        assertEquals(-1, ffi.waitForStepEvents(1000), "no worker: no wait");
        assertEquals(ffi.stringsReceived(), ffi.stringsFreed());
        assertTrue(ffi.stringsReceived() >= 8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
