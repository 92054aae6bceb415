package io.tasker.worker.api.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainEventTest {

    @Test
    void parsesTheEngineShape() {
        DomainEvent e = DomainEvent.fromJson(DomainEventSamples.event("order.placed", true, "orders.pub"));
        assertEquals("0193a1b2-0000-7000-8000-000000000001", e.eventId());
        assertEquals("order.placed", e.eventName());
        assertEquals("1.0", e.eventVersion());
        assertEquals("0193a1b2-0000-7000-8000-00000000aaaa", e.metadata().taskUuid());
        assertEquals("0193a1b2-0000-7000-8000-00000000bbbb", e.metadata().stepUuid());
        assertEquals("place_order", e.metadata().stepName());
        assertEquals("event_examples", e.metadata().namespace());
        assertEquals("0193a1b2-0000-7000-8000-00000000cccc", e.metadata().correlationId());
        assertEquals(
                Instant.parse("2026-02-15T19:43:46.123456789Z"), e.metadata().firedAt());
        assertEquals("worker-1", e.metadata().firedBy());
        assertEquals(Map.of("order_id", "ORD-7", "amount", 12.5), e.payload());
        assertEquals("ORD-7", e.payloadAsMap().get("order_id"));
        assertEquals("default", e.publisher());
        assertEquals("order_events", ((Map<?, ?>) e.taskSequenceStep().get("task")).get("task_name"));
    }

    @Test
    void executionResultIsTheRealOutcome() {
        DomainEvent ok = DomainEvent.fromJson(DomainEventSamples.event("order.placed", true, null));
        assertTrue(ok.executionResult().success());
        assertEquals("completed", ok.executionResult().status());
        assertNull(ok.executionResult().error());

        DomainEvent failed = DomainEvent.fromJson(DomainEventSamples.event("order.failed", false, null));
        assertFalse(failed.executionResult().success());
        assertEquals("failed", failed.executionResult().status());
        assertEquals("card declined", failed.executionResult().errorMessage());
        assertEquals("payment_error", failed.executionResult().errorType());
        assertTrue(failed.executionResult().retryable());
        assertEquals(
                Map.of("order_id", "ORD-7", "amount", 12.5),
                failed.executionResult().result());
    }

    @Test
    void declarationsAndDeclaredPublisher() {
        DomainEvent e = DomainEvent.fromJson(DomainEventSamples.event("order.placed", true, "orders.pub"));
        List<EventDeclaration> all = e.declarations();
        assertEquals(2, all.size());
        EventDeclaration d = e.declaration();
        assertEquals("order.placed", d.name());
        assertEquals("always", d.condition());
        assertEquals("fast", d.deliveryMode());
        assertEquals("orders.pub", d.publisher());
        assertEquals(Map.of("type", "object"), d.schema());
        assertEquals("success", all.get(1).condition());
        assertEquals("durable", all.get(1).deliveryMode());
        assertEquals("orders.pub", e.declaredPublisher());
        assertNull(DomainEvent.fromJson(DomainEventSamples.event("order.placed", true, null))
                .declaredPublisher());
    }

    @Test
    void malformedInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DomainEvent.fromJson("{\"eventId\":\"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> DomainEvent.fromJson("not json"));
        assertThrows(IllegalArgumentException.class, () -> DomainEvent.fromJson("[]"));
    }

    @Test
    void minimalEventParses() {
        DomainEvent e = DomainEvent.fromJson("{\"eventName\":\"a.b\",\"metadata\":{\"firedAt\":\"bad\"}}");
        assertEquals("a.b", e.eventName());
        assertNull(e.metadata().firedAt());
        assertNull(e.payload());
        assertEquals(Map.of(), e.payloadAsMap());
        assertFalse(e.executionResult().success());
        assertEquals(List.of(), e.declarations());
    }
}
