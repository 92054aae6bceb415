package io.tasker.worker.internal.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.domain.DomainEvent;
import io.tasker.worker.api.domain.DomainEventPublisher;
import io.tasker.worker.api.domain.DomainEventSamples;
import io.tasker.worker.api.domain.DomainEventSubscriber;
import io.tasker.worker.api.domain.EventDeclaration;
import io.tasker.worker.api.domain.EventExecutionResult;
import io.tasker.worker.api.domain.PublisherRegistry;
import io.tasker.worker.api.domain.StepEventContext;
import io.tasker.worker.api.domain.SubscriberRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class InProcessDomainEventPollerTest {

    /** Records what it receives; optionally fails on every event. */
    static class Recorder implements DomainEventSubscriber {
        final List<String> patterns;
        final boolean fail;
        final List<DomainEvent> received = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        int after;

        Recorder(boolean fail, String... patterns) {
            this.fail = fail;
            this.patterns = List.of(patterns);
        }

        @Override
        public List<String> subscribesTo() {
            return patterns;
        }

        @Override
        public void handle(DomainEvent event) {
            received.add(event);
            if (fail) {
                throw new IllegalStateException("subscriber broke");
            }
        }

        @Override
        public void afterHandle(DomainEvent event) {
            after++;
        }

        @Override
        public void onHandleError(DomainEvent event, Throwable error) {
            errors.add(error);
        }
    }

    private final PublisherRegistry publishers = new PublisherRegistry();
    private final SubscriberRegistry subscribers = new SubscriberRegistry();

    private static java.util.function.Supplier<String> queue(Deque<String> q) {
        return () -> q.pollFirst();
    }

    private InProcessDomainEventPoller poller(Deque<String> q, int max) {
        InProcessDomainEventPoller p =
                new InProcessDomainEventPoller(publishers, subscribers, new RecentDomainEvents(5), max);
        p.setPollFunction(queue(q));
        subscribers.start();
        return p;
    }

    @Test
    void deliversToMatchingSubscribersAndSurvivesTheirErrors() {
        Recorder orders = new Recorder(false, "order.*");
        Recorder broken = new Recorder(true, "*");
        Recorder payments = new Recorder(false, "payment.*");
        subscribers.register(broken);
        subscribers.register(orders);
        subscribers.register(payments);
        Deque<String> q = new ArrayDeque<>(List.of(
                DomainEventSamples.event("order.placed", true, null),
                DomainEventSamples.event("order.shipped", true, null)));
        InProcessDomainEventPoller p = poller(q, 100);

        assertEquals(2, p.pollOnce());
        assertEquals(2, orders.received.size());
        assertEquals(2, orders.after);
        assertEquals(0, payments.received.size());
        assertEquals(2, broken.received.size());
        assertEquals(2, broken.errors.size());
        assertEquals(0, broken.after);
        Map<String, Object> stats = p.stats();
        assertEquals(1L, stats.get("pollCount"));
        assertEquals(2L, stats.get("eventsProcessed"));
        assertEquals(0L, stats.get("eventsLagged"));
        assertEquals(false, stats.get("running"));
        assertEquals(2L, stats.get("subscriberErrors"));
        assertEquals(0, p.pollOnce());
    }

    @Test
    void drainsAtMostTheLimitPerCycleAndCountsLag() {
        Deque<String> q = new ArrayDeque<>();
        for (int i = 0; i < 7; i++) {
            q.add(DomainEventSamples.event("e.n" + i, true, null));
        }
        InProcessDomainEventPoller p = poller(q, 3);
        assertEquals(3, p.pollOnce());
        assertEquals(3, p.pollOnce());
        assertEquals(1, p.pollOnce());
        assertEquals(2L, p.stats().get("eventsLagged"));
        assertEquals(7L, p.stats().get("eventsProcessed"));
        // the ring keeps the newest five
        List<RecentDomainEvents.Entry> recent = p.recent().snapshot();
        assertEquals(5, recent.size());
        assertEquals("e.n6", recent.get(0).event().eventName());
        assertEquals("e.n2", recent.get(4).event().eventName());
        assertEquals("delivered", recent.get(0).toMap().get("outcome"));
    }

    @Test
    void malformedEventsAndPollErrorsAreCountedNotThrown() {
        Deque<String> q = new ArrayDeque<>(List.of("garbage", DomainEventSamples.event("a.b", true, null)));
        InProcessDomainEventPoller p = poller(q, 100);
        List<Throwable> seen = new ArrayList<>();
        p.onError(seen::add);
        assertEquals(2, p.pollOnce());
        assertEquals(1L, p.stats().get("parseErrors"));
        assertEquals(1L, p.stats().get("eventsProcessed"));
        p.setPollFunction(() -> {
            throw new IllegalStateException("engine gone");
        });
        assertEquals(0, p.pollOnce());
        assertEquals(1L, p.stats().get("pollErrors"));
        assertEquals(2, seen.size());
    }

    @Test
    void customPublisherTransformsAndEnriches() {
        List<String> after = new ArrayList<>();
        publishers.register(new DomainEventPublisher() {
            @Override
            public String publisherName() {
                return "orders.pub";
            }

            @Override
            public Object transformPayload(EventExecutionResult r, EventDeclaration d, StepEventContext c) {
                return Map.of(
                        "id",
                        ((Map<?, ?>) r.result()).get("order_id"),
                        "condition",
                        d.condition(),
                        "step",
                        c.stepName());
            }

            @Override
            public Map<String, Object> additionalMetadata(
                    EventExecutionResult r, EventDeclaration d, StepEventContext c) {
                return Map.of("source", "test");
            }

            @Override
            public void afterPublish(String eventName, Object payload, Map<String, Object> metadata) {
                after.add(eventName + " " + metadata.get("publisher"));
            }
        });
        Recorder rec = new Recorder(false, "*");
        subscribers.register(rec);
        InProcessDomainEventPoller p =
                poller(new ArrayDeque<>(List.of(DomainEventSamples.event("order.placed", true, "orders.pub"))), 100);
        p.pollOnce();
        DomainEvent got = rec.received.get(0);
        assertEquals(Map.of("id", "ORD-7", "condition", "always", "step", "place_order"), got.payload());
        assertEquals("orders.pub", got.publisher());
        assertEquals("test", got.publicationMetadata().get("source"));
        assertEquals("place_order", got.publicationMetadata().get("step_name"));
        assertEquals(List.of("order.placed orders.pub"), after);
    }

    @Test
    void defaultPublisherKeepsTheEnginePayload() {
        Recorder rec = new Recorder(false, "*");
        subscribers.register(rec);
        InProcessDomainEventPoller p =
                poller(new ArrayDeque<>(List.of(DomainEventSamples.event("order.placed", true, "unknown.pub"))), 100);
        p.pollOnce();
        assertEquals(
                Map.of("order_id", "ORD-7", "amount", 12.5), rec.received.get(0).payload());
        assertEquals("default", rec.received.get(0).publisher());
    }

    @Test
    void publisherHooksCanSuppressAndFail() {
        List<Throwable> publishErrors = new ArrayList<>();
        publishers.register(new DomainEventPublisher() {
            @Override
            public String publisherName() {
                return "gate";
            }

            @Override
            public List<String> publishesFor() {
                return List.of("gate.*");
            }

            @Override
            public boolean shouldPublish(EventExecutionResult r, EventDeclaration d, StepEventContext c) {
                return r.success();
            }

            @Override
            public boolean beforePublish(String eventName, Object payload, Map<String, Object> metadata) {
                if (eventName.equals("gate.boom")) {
                    throw new IllegalStateException("hook failed");
                }
                return !eventName.equals("gate.veto");
            }

            @Override
            public void onPublishError(String eventName, Throwable error, Object payload) {
                publishErrors.add(error);
            }
        });
        Recorder rec = new Recorder(false, "*");
        subscribers.register(rec);
        Deque<String> q = new ArrayDeque<>(List.of(
                DomainEventSamples.event("gate.failed", false, null),
                DomainEventSamples.event("gate.veto", true, null),
                DomainEventSamples.event("gate.boom", true, null),
                DomainEventSamples.event("gate.ok", true, null)));
        InProcessDomainEventPoller p = poller(q, 100);
        p.pollOnce();
        assertEquals(
                List.of("gate.ok"),
                rec.received.stream().map(DomainEvent::eventName).toList());
        assertEquals(2L, p.stats().get("eventsSuppressed"));
        assertEquals(1L, p.stats().get("publishErrors"));
        assertEquals(1, publishErrors.size());
        assertEquals(
                List.of("delivered", "publish_error", "suppressed", "suppressed"),
                p.recent().snapshot().stream()
                        .map(e -> e.toMap().get("outcome"))
                        .toList());
    }

    @Test
    void callbacksSubscribeAndUnsubscribe() {
        List<String> got = new ArrayList<>();
        Deque<String> q = new ArrayDeque<>();
        InProcessDomainEventPoller p = poller(q, 100);
        p.subscribe("order.*", e -> got.add(e.eventName()));
        p.subscribe("order.*", e -> {
            throw new IllegalStateException("callback broke");
        });
        q.add(DomainEventSamples.event("order.placed", true, null));
        q.add(DomainEventSamples.event("user.created", true, null));
        p.pollOnce();
        assertEquals(List.of("order.placed"), got);
        assertEquals(1L, p.stats().get("subscriberErrors"));
        p.unsubscribe("order.*");
        q.add(DomainEventSamples.event("order.paid", true, null));
        p.pollOnce();
        assertEquals(List.of("order.placed"), got);
    }

    @Test
    void runsOnAGivenScheduler() throws Exception {
        Recorder rec = new Recorder(false, "*");
        subscribers.register(rec);
        java.util.concurrent.ConcurrentLinkedDeque<String> q = new java.util.concurrent.ConcurrentLinkedDeque<>();
        InProcessDomainEventPoller p = new InProcessDomainEventPoller(publishers, subscribers);
        p.setPollFunction(q::pollFirst);
        subscribers.start();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            p.start(scheduler, Duration.ofMillis(5));
            assertTrue(p.isRunning());
            q.add(DomainEventSamples.event("order.placed", true, null));
            long deadline = System.currentTimeMillis() + 5000;
            while (rec.received.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, rec.received.size());
            assertEquals(true, p.stats().get("running"));
            p.stop();
            assertFalse(p.isRunning());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
