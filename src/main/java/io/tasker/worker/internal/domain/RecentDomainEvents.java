package io.tasker.worker.internal.domain;

import io.tasker.worker.api.domain.DomainEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded ring of the last domain events seen, newest first, for dashboards and troubleshooting. Thread-safe;
 * the oldest entry is dropped when full.
 */
public final class RecentDomainEvents {

    /** What happened to one event. */
    public enum Outcome {
        DELIVERED,
        SUPPRESSED,
        PUBLISH_ERROR
    }

    /**
     * One remembered event.
     *
     * @param event       the event as delivered (after the publisher's transformation)
     * @param receivedAt  when the poller took it
     * @param outcome     delivered, or suppressed/failed in the publisher
     * @param subscribers how many subscribers were given it
     * @param failures    how many of them threw
     */
    public record Entry(DomainEvent event, Instant receivedAt, Outcome outcome, int subscribers, int failures) {

        /** A JSON-friendly summary (no step snapshot). */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eventId", event.eventId());
            m.put("eventName", event.eventName());
            m.put("eventVersion", event.eventVersion());
            m.put("taskUuid", event.metadata().taskUuid());
            m.put("stepUuid", event.metadata().stepUuid());
            m.put("stepName", event.metadata().stepName());
            m.put("namespace", event.metadata().namespace());
            m.put(
                    "firedAt",
                    event.metadata().firedAt() == null
                            ? null
                            : event.metadata().firedAt().toString());
            m.put("receivedAt", receivedAt.toString());
            m.put("publisher", event.publisher());
            m.put("stepSuccess", event.executionResult().success());
            m.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
            m.put("subscribers", subscribers);
            m.put("failures", failures);
            m.put("payload", event.payload());
            return m;
        }
    }

    /** The default capacity. */
    public static final int DEFAULT_CAPACITY = 200;

    private final int capacity;
    private final Deque<Entry> ring;

    public RecentDomainEvents() {
        this(DEFAULT_CAPACITY);
    }

    public RecentDomainEvents(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0");
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    public synchronized void add(Entry entry) {
        if (ring.size() == capacity) {
            ring.removeLast();
        }
        ring.addFirst(entry);
    }

    /** Newest first. */
    public synchronized List<Entry> snapshot() {
        return new ArrayList<>(ring);
    }

    public synchronized int size() {
        return ring.size();
    }

    public int capacity() {
        return capacity;
    }
}
