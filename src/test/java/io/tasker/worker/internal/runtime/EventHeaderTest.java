package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tasker.worker.api.HandlerDefinition;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header scanned before dispatch, and the event bytes it keeps for the handler's context. */
class EventHeaderTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fieldsAreFoundInAnyOrderAndNestedOnesOnlyWhereTheyBelong() {
        // Keys sorted as the bridge's serde_json writes them; decoys at the wrong depth.
        String event = "{\"correlation_id\":\"c-1\",\"dependency_results\":{\"x\":{\"event_id\":\"nope\","
                + "\"callable\":\"nope\"}},\"event_id\":\"e-1\",\"step_definition\":{\"callable\":\"nope\","
                + "\"handler\":{\"initialization\":{\"callable\":\"nope\",\"n\":[1,{\"k\":\"v\"}]},"
                + "\"callable\":\"pay.é\",\"method\":\"charge\",\"resolver\":null}},\"step_uuid\":\"s-1\","
                + "\"task\":{\"name\":\"t\",\"correlation_id\":\"nope\"},\"task_correlation_id\":\"tc-1\","
                + "\"task_uuid\":\"t-1\",\"workflow_step\":{\"inputs\":{\"name\":\"nope\"},\"name\":\"charge\","
                + "\"attempts\":2}}";
        EventHeader h = EventHeader.of(utf8(event));
        assertEquals(
                List.of("e-1", "t-1", "s-1", "c-1", "tc-1", "pay.é", "charge"),
                List.of(
                        h.eventId(),
                        h.taskUuid(),
                        h.stepUuid(),
                        h.correlationId(),
                        h.taskCorrelationId(),
                        h.callable(),
                        h.stepName()));
        assertEquals(2, h.attempts());
        assertEquals(
                new HandlerDefinition(
                        "pay.é", "charge", null, Map.of("callable", "nope", "n", List.of(1, Map.of("k", "v")))),
                h.definition());
        assertEquals(event, new String(h.raw(), StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyOrMissingInitializationIsAnEmptyMap() {
        assertEquals(
                Map.of(), EventHeader.of(utf8(FakeEngine.event("a", "s", "h"))).initialization());
        assertEquals(Map.of(), EventHeader.of(utf8("{\"event_id\":\"a\"}")).initialization());
        assertEquals(
                0,
                EventHeader.of(utf8("{\"workflow_step\":{\"attempts\":\"x\"}}")).attempts());
    }

    @Test
    void aBatchKeepsEachEventsOwnBytes() {
        String a = FakeEngine.event("a", "sa", "h.a");
        String b = FakeEngine.event("b", "sb", "h.b");
        byte[] batch = utf8("[" + a + " ,\n" + b + "]");
        List<EventHeader> events = EventHeader.batch(batch);
        assertEquals(2, events.size());
        EventHeader first = events.get(0);
        EventHeader second = events.get(1);
        assertEquals("a", first.eventId());
        assertEquals("h.b", second.callable());
        assertEquals(a, new String(first.raw(), StandardCharsets.UTF_8));
        assertEquals(b, new String(second.raw(), StandardCharsets.UTF_8));
    }

    @Test
    void whatIsNotAnEventIsNoHeader() {
        assertNull(EventHeader.of(utf8("[1]")));
        assertNull(EventHeader.batch(utf8("{}")));
        assertEquals(Arrays.asList(null, null), EventHeader.batch(utf8("[1,[2]]")));
        assertEquals(List.of(), EventHeader.batch(utf8(" [ ] ")));
        // A field that cannot be read (an invalid escape) loses that event only, not the rest of its batch.
        assertNull(EventHeader.of(utf8("{\"event_id\":\"\\x\"}")));
        List<EventHeader> mixed =
                EventHeader.batch(utf8("[{\"event_id\":\"\\x\"}," + FakeEngine.event("b", "sb", "h.b") + "]"));
        assertNull(mixed.get(0));
        assertEquals("b", mixed.get(1).eventId());
        assertNull(EventHeader.of(utf8("{\"event_id\":null}")).eventId());
        assertEquals(
                "q\"uote", EventHeader.of(utf8("{\"event_id\":\"q\\\"uote\"}")).eventId());
        for (String bad : new String[] {"{\"event_id\":\"x\"", "{\"a\" 1}", "[{},", "{\"a\":\"open}"}) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> {
                        EventHeader.of(utf8(bad));
                        EventHeader.batch(utf8(bad));
                    },
                    bad);
        }
    }
}
