package io.tasker.worker.api.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventPatternsTest {

    @Test
    void starAloneMatchesEverything() {
        assertTrue(EventPatterns.matches("*", "order.created"));
        assertTrue(EventPatterns.matches("*", ""));
    }

    @Test
    void globsAreAnchoredAndStarSpansDots() {
        assertTrue(EventPatterns.matches("order.*", "order.created"));
        assertTrue(EventPatterns.matches("order.*", "order.item.added"));
        assertTrue(EventPatterns.matches("order.*", "order."));
        assertFalse(EventPatterns.matches("order.*", "reorder.created"));
        assertFalse(EventPatterns.matches("order.*", "order"));
        assertTrue(EventPatterns.matches("*.created", "payment.created"));
        assertFalse(EventPatterns.matches("*.created", "payment.created.v2"));
        assertTrue(EventPatterns.matches("a*c", "abbbc"));
        assertTrue(EventPatterns.matches("a**c", "ac"));
    }

    @Test
    void everythingElseIsLiteral() {
        assertTrue(EventPatterns.matches("order.created", "order.created"));
        assertFalse(EventPatterns.matches("order.created", "orderXcreated"));
        assertFalse(EventPatterns.matches("order.created", "order.created.x"));
        assertTrue(EventPatterns.matches("a+b(c)?", "a+b(c)?"));
        assertFalse(EventPatterns.matches("a+b", "aab"));
    }

    @Test
    void anyAndNulls() {
        assertTrue(EventPatterns.matchesAny(List.of("x.*", "order.*"), "order.paid"));
        assertFalse(EventPatterns.matchesAny(List.of(), "order.paid"));
        assertFalse(EventPatterns.matches(null, "a"));
        assertFalse(EventPatterns.matches("a", null));
    }
}
