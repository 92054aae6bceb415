package io.tasker.worker.examples.events;

import io.tasker.worker.api.domain.DomainEvent;
import io.tasker.worker.api.domain.DomainEventSubscriber;
import io.tasker.worker.api.logging.TaskerLog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Receives every {@code order.*} event and keeps the last 100 (a real one would update a read model). */
@ApplicationScoped
public class OrderEventSubscriber implements DomainEventSubscriber {

    private static final int KEEP = 100;
    private final List<DomainEvent> received = new ArrayList<>();

    @Override
    public List<String> subscribesTo() {
        return List.of("order.*");
    }

    @Override
    public void handle(DomainEvent event) {
        TaskerLog.logInfo(
                "order event received",
                Map.of(
                        "event",
                        event.eventName(),
                        "order_id",
                        String.valueOf(event.payloadAsMap().get("order_id")),
                        "task_uuid",
                        event.metadata().taskUuid()));
        synchronized (received) {
            if (received.size() == KEEP) {
                received.remove(0);
            }
            received.add(event);
        }
    }

    /** The events received so far, oldest first. */
    public List<DomainEvent> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }
}
