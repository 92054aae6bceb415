package io.tasker.worker.api.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriberRegistryTest {

    static class OrderSubscriber implements DomainEventSubscriber {
        @Override
        public List<String> subscribesTo() {
            return List.of("order.*", "payment.done");
        }

        @Override
        public void handle(DomainEvent event) {}
    }

    @Test
    void onlyStartedSubscribersReceive() {
        SubscriberRegistry r = new SubscriberRegistry();
        OrderSubscriber s = new OrderSubscriber();
        r.register(s);
        assertEquals(List.of(), r.subscribersFor("order.placed"));
        r.start();
        assertTrue(r.isStarted());
        assertEquals(List.of(s), r.subscribersFor("order.placed"));
        assertEquals(List.of(s), r.subscribersFor("payment.done"));
        assertEquals(List.of(), r.subscribersFor("payment.failed"));
        r.stop();
        assertFalse(r.isStarted());
        assertEquals(List.of(), r.subscribersFor("order.placed"));
    }

    @Test
    void defaultPatternIsEverything() {
        SubscriberRegistry r = new SubscriberRegistry();
        DomainEventSubscriber all = event -> {};
        r.start();
        r.registerInstance(all); // registered after start: active at once
        assertEquals(List.of(all), r.subscribersFor("anything.at.all"));
        assertTrue(r.unregister(all));
        assertEquals(0, r.count());
    }

    @Test
    void factoriesAreCreatedAtStartAndFailuresSkipped() {
        SubscriberRegistry r = new SubscriberRegistry();
        r.register(OrderSubscriber::new);
        r.register(() -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(0, r.count());
        r.start();
        assertEquals(1, r.count());
        r.start(); // idempotent
        assertEquals(1, r.count());
    }

    @Test
    void statsShape() {
        SubscriberRegistry r = new SubscriberRegistry();
        r.register(new OrderSubscriber());
        r.start();
        assertEquals(
                Map.of(
                        "started",
                        true,
                        "subscriberCount",
                        1,
                        "activeCount",
                        1,
                        "subscribers",
                        List.of(Map.of(
                                "className",
                                OrderSubscriber.class.getName(),
                                "active",
                                true,
                                "patterns",
                                List.of("order.*", "payment.done")))),
                r.stats());
        r.reset();
        assertEquals(
                Map.of("started", false, "subscriberCount", 0, "activeCount", 0, "subscribers", List.of()), r.stats());
    }
}
