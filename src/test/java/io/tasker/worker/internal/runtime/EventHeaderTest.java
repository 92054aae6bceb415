package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tasker.worker.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header read before dispatch, and the event bytes it keeps for the handler thread's full parse. */
class EventHeaderTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fieldsAreFoundInAnyOrderAndNestedOnesOnlyWhereTheyBelong() throws Exception {
        // Keys sorted as the bridge's serde_json writes them; decoys at the wrong depth.
        String event = "{\"dependency_results\":{\"x\":{\"event_id\":\"nope\",\"callable\":\"nope\"}},"
                + "\"event_id\":\"e-1\",\"step_definition\":{\"callable\":\"nope\",\"handler\":{\"initialization\":"
                + "{\"callable\":\"nope\"},\"callable\":\"pay.é\"}},\"step_uuid\":\"s-1\",\"task\":{\"name\":\"t\"},"
                + "\"task_uuid\":\"t-1\",\"workflow_step\":{\"inputs\":{\"name\":\"nope\"},\"name\":\"charge\"}}";
        EventHeader h = EventHeader.of(utf8(event));
        EventHeader parsed = EventHeader.parse(utf8(event), 0, utf8(event).length);
        for (EventHeader e : new EventHeader[] {h, parsed}) {
            assertEquals(
                    List.of("e-1", "t-1", "s-1", "pay.é", "charge"),
                    List.of(e.eventId(), e.taskUuid(), e.stepUuid(), e.callable(), e.stepName()));
        }
        assertEquals("e-1", h.eventId());
        assertEquals("t-1", h.taskUuid());
        assertEquals("s-1", h.stepUuid());
        assertEquals("pay.é", h.callable());
        assertEquals("charge", h.stepName());
        assertEquals(Json.parse(event), Json.MAPPER.readTree(h.raw()));
    }

    @Test
    void aBatchKeepsEachEventsOwnBytes() throws Exception {
        String a = FakeEngine.event("a", "sa", "h.a");
        String b = FakeEngine.event("b", "sb", "h.b");
        byte[] batch = utf8("[" + a + " ,\n" + b + "]");
        int[] spans = EventHeader.spans(batch);
        assertEquals(4, spans.length);
        EventHeader first = EventHeader.element(batch, spans[0], spans[1], false);
        EventHeader second = EventHeader.element(batch, spans[2], spans[3], true);
        assertEquals("a", first.eventId());
        assertNull(first.tree(), "scanned only");
        assertEquals("h.b", second.callable());
        assertEquals(Json.parse(b), second.tree(), "parsed for the thread that runs it");
        assertEquals(a, new String(first.raw(), StandardCharsets.UTF_8));
        assertEquals(b, new String(second.raw(), StandardCharsets.UTF_8));
    }

    @Test
    void whatIsNotAnEventIsNoHeader() throws Exception {
        assertNull(EventHeader.of(utf8("[1]")));
        assertNull(EventHeader.spans(utf8("{}")));
        byte[] odd = utf8("[1,[2]]");
        int[] spans = EventHeader.spans(odd);
        assertNull(EventHeader.element(odd, spans[0], spans[1], false));
        assertNull(EventHeader.element(odd, spans[2], spans[3], true));
        assertNull(EventHeader.of(utf8("{\"event_id\":null}")).eventId());
        assertEquals(
                "q\"uote", EventHeader.of(utf8("{\"event_id\":\"q\\\"uote\"}")).eventId());
        for (String bad : new String[] {"{\"event_id\":\"x\"", "{\"a\" 1}", "[{},", "{\"a\":\"open}"}) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> {
                        EventHeader.of(utf8(bad));
                        EventHeader.spans(utf8(bad));
                    },
                    bad);
        }
    }
}
