package io.tasker.worker.api.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PublisherRegistryTest {

    private static DomainEventPublisher named(String name, String... patterns) {
        return new DomainEventPublisher() {
            @Override
            public String publisherName() {
                return name;
            }

            @Override
            public List<String> publishesFor() {
                return List.of(patterns);
            }
        };
    }

    @Test
    void registerAndLookUp() {
        PublisherRegistry r = new PublisherRegistry();
        DomainEventPublisher p = named("payments");
        r.register(p);
        assertSame(p, r.get("payments"));
        assertSame(p, r.getOrDefault("payments"));
        assertSame(p, r.getStrict("payments"));
        assertNull(r.get("missing"));
        assertTrue(r.isRegistered("payments"));
        assertTrue(r.isRegistered("default"));
        assertFalse(r.isRegistered("missing"));
        assertEquals(1, r.count());
        assertFalse(r.isEmpty());
    }

    @Test
    void defaultIsAlwaysThere() {
        PublisherRegistry r = new PublisherRegistry();
        assertEquals(DefaultPublisher.NAME, r.get("default").publisherName());
        assertSame(r.defaultPublisher(), r.getOrDefault(null));
        assertSame(r.defaultPublisher(), r.getOrDefault("default"));
        assertSame(r.defaultPublisher(), r.getOrDefault("unknown")); // logs a warning
        assertEquals(0, r.count());
        assertTrue(r.isEmpty());
        assertEquals(List.of(), r.registeredNames());
    }

    @Test
    void getStrictThrowsForUnknownNames() {
        DomainEventException e = assertThrows(DomainEventException.class, () -> new PublisherRegistry().getStrict("x"));
        assertEquals(DomainEventException.Kind.PUBLISHER_NOT_FOUND, e.kind());
    }

    @Test
    void duplicatesAndTheReservedNameAreRefused() {
        PublisherRegistry r = new PublisherRegistry();
        r.register(named("a"));
        assertEquals(
                DomainEventException.Kind.DUPLICATE_PUBLISHER,
                assertThrows(DomainEventException.class, () -> r.register(named("a")))
                        .kind());
        assertEquals(
                DomainEventException.Kind.DUPLICATE_PUBLISHER,
                assertThrows(DomainEventException.class, () -> r.register(named("default")))
                        .kind());
        assertThrows(IllegalArgumentException.class, () -> r.register(named(" ")));
    }

    @Test
    void validateRequiredFreezesOnSuccessAndListsTheMissing() {
        PublisherRegistry r = new PublisherRegistry();
        r.register(named("b"));
        r.register(named("a"));
        assertEquals(List.of("a", "b"), r.registeredNames());
        DomainEventException e =
                assertThrows(DomainEventException.class, () -> r.validateRequired(List.of("a", "x", "default", "y")));
        assertEquals(DomainEventException.Kind.PUBLISHER_VALIDATION, e.kind());
        assertEquals(List.of("x", "y"), e.names());
        assertFalse(r.isFrozen());

        r.validateRequired(List.of("a", "default"));
        assertTrue(r.isFrozen());
        assertEquals(
                DomainEventException.Kind.REGISTRY_FROZEN,
                assertThrows(DomainEventException.class, () -> r.register(named("c")))
                        .kind());
        assertThrows(DomainEventException.class, () -> r.unregister("a"));
        assertThrows(DomainEventException.class, r::clear);
        r.reset();
        assertFalse(r.isFrozen());
        assertEquals(0, r.count());
    }

    @Test
    void unregisterAndClear() {
        PublisherRegistry r = new PublisherRegistry();
        r.register(named("a"));
        assertTrue(r.unregister("a"));
        assertFalse(r.unregister("a"));
        r.register(named("b"));
        r.clear();
        assertTrue(r.isEmpty());
        r.register(named("c"));
        r.freeze();
        assertTrue(r.isFrozen());
    }

    @Test
    void forEventPrefersTheDeclaredPublisherThenPatternsThenDefault() {
        PublisherRegistry r = new PublisherRegistry();
        DomainEventPublisher orders = named("orders", "order.*");
        DomainEventPublisher audit = named("audit");
        r.register(orders);
        r.register(audit);
        assertSame(audit, r.forEvent("order.placed", "audit"));
        assertSame(orders, r.forEvent("order.placed", null));
        assertSame(orders, r.forEvent("order.placed", "not-registered"));
        assertSame(r.defaultPublisher(), r.forEvent("payment.done", null));
        assertSame(r.defaultPublisher(), r.forEvent("payment.done", "default"));
    }
}
