package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
        List<EventHeader> events = EventHeader.ofArray(utf8("[" + a + " ,\n" + b + "]"));
        assertEquals(2, events.size());
        assertEquals("a", events.get(0).eventId());
        assertEquals("h.b", events.get(1).callable());
        assertEquals(a, new String(events.get(0).raw(), StandardCharsets.UTF_8));
        assertEquals(b, new String(events.get(1).raw(), StandardCharsets.UTF_8));
    }

    @Test
    void whatIsNotAnEventIsNoHeader() throws Exception {
        assertNull(EventHeader.of(utf8("[1]")));
        assertNull(EventHeader.ofArray(utf8("{}")));
        assertEquals(java.util.Arrays.asList(null, null), EventHeader.ofArray(utf8("[1,[2]]")));
        assertNull(EventHeader.of(utf8("{\"event_id\":null}")).eventId());
    }
}
