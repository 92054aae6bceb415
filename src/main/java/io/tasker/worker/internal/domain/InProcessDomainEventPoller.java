package io.tasker.worker.internal.domain;

import io.tasker.worker.api.domain.DomainEvent;
import io.tasker.worker.api.domain.DomainEventPublisher;
import io.tasker.worker.api.domain.DomainEventSubscriber;
import io.tasker.worker.api.domain.EventDeclaration;
import io.tasker.worker.api.domain.EventPatterns;
import io.tasker.worker.api.domain.PublisherRegistry;
import io.tasker.worker.api.domain.StepEventContext;
import io.tasker.worker.api.domain.SubscriberRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drains the engine's in-process domain events ({@code fast}/{@code broadcast} delivery) and hands each to the
 * matching subscribers, through the publisher hooks (the TypeScript worker's {@code InProcessDomainEventPoller}).
 *
 * <p>Each cycle takes up to {@link #maxEventsPerPoll} events from the poll function (one JSON string per call,
 * {@code null} when none is waiting) and dispatches them one after another on the calling thread. A cycle that hits
 * the maximum counts as lagged: more events were probably waiting. Threads are not created here: {@link #start}
 * schedules cycles on the executor it is given (in the server a {@code ManagedScheduledExecutorService}), and
 * {@link #pollOnce()} runs one cycle on the caller's thread (tests, the in-process harness).
 *
 * <p>Nothing a subscriber or publisher does stops the poller: every exception is caught, counted and logged.
 */
public final class InProcessDomainEventPoller {

    private static final Logger LOG = Logger.getLogger(InProcessDomainEventPoller.class.getName());

    /** The TypeScript worker's defaults. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);

    public static final int DEFAULT_MAX_EVENTS_PER_POLL = 100;

    private final PublisherRegistry publishers;
    private final SubscriberRegistry subscribers;
    private final RecentDomainEvents recent;
    private final int maxEventsPerPoll;
    private final List<Callback> callbacks = new CopyOnWriteArrayList<>();
    private final List<Consumer<Throwable>> errorListeners = new CopyOnWriteArrayList<>();
    private volatile Supplier<String> pollFunction;
    private volatile ScheduledFuture<?> schedule;
    /** One cycle at a time, even if a slow cycle overlaps the next tick or a test calls pollOnce concurrently. */
    private final Object cycleLock = new Object();

    private final AtomicLong pollCount = new AtomicLong();
    private final AtomicLong eventsProcessed = new AtomicLong();
    private final AtomicLong eventsLagged = new AtomicLong();
    private final AtomicLong eventsSuppressed = new AtomicLong();
    private final AtomicLong parseErrors = new AtomicLong();
    private final AtomicLong publishErrors = new AtomicLong();
    private final AtomicLong subscriberErrors = new AtomicLong();
    private final AtomicLong pollErrors = new AtomicLong();
    private volatile Instant lastEventAt;

    public InProcessDomainEventPoller(PublisherRegistry publishers, SubscriberRegistry subscribers) {
        this(publishers, subscribers, new RecentDomainEvents(), DEFAULT_MAX_EVENTS_PER_POLL);
    }

    public InProcessDomainEventPoller(
            PublisherRegistry publishers,
            SubscriberRegistry subscribers,
            RecentDomainEvents recent,
            int maxEventsPerPoll) {
        this.publishers = Objects.requireNonNull(publishers);
        this.subscribers = Objects.requireNonNull(subscribers);
        this.recent = Objects.requireNonNull(recent);
        if (maxEventsPerPoll <= 0) {
            throw new IllegalArgumentException("maxEventsPerPoll must be > 0");
        }
        this.maxEventsPerPoll = maxEventsPerPoll;
    }

    /** Where events come from: one event JSON per call, {@code null} when none is waiting. */
    public void setPollFunction(Supplier<String> poll) {
        this.pollFunction = poll;
    }

    /** The TypeScript worker's {@code subscribe(pattern, callback)}: a lightweight subscriber without a class. */
    public void subscribe(String pattern, Consumer<DomainEvent> callback) {
        callbacks.add(new Callback(pattern, callback));
    }

    /** Removes every callback registered for {@code pattern}. */
    public void unsubscribe(String pattern) {
        callbacks.removeIf(c -> c.pattern.equals(pattern));
    }

    /** Told about every error (poll, parse, publisher, subscriber). */
    public void onError(Consumer<Throwable> listener) {
        errorListeners.add(listener);
    }

    /** Starts polling every {@code interval} on {@code executor}. Idempotent while running. */
    public synchronized void start(ScheduledExecutorService executor, Duration interval) {
        if (isRunning()) {
            return;
        }
        long micros = Math.max(1, interval.toNanos() / 1000);
        schedule = executor.scheduleWithFixedDelay(this::safeCycle, 0, micros, TimeUnit.MICROSECONDS);
    }

    /** Stops scheduling cycles; a cycle in progress finishes. */
    public synchronized void stop() {
        ScheduledFuture<?> s = schedule;
        schedule = null;
        if (s != null) {
            s.cancel(false);
        }
    }

    public boolean isRunning() {
        ScheduledFuture<?> s = schedule;
        return s != null && !s.isDone();
    }

    /** Runs one cycle now, on this thread. Returns the number of events taken. */
    public int pollOnce() {
        Supplier<String> poll = pollFunction;
        if (poll == null) {
            return 0;
        }
        synchronized (cycleLock) {
            pollCount.incrementAndGet();
            int taken = 0;
            while (taken < maxEventsPerPoll) {
                String json;
                try {
                    json = poll.get();
                } catch (RuntimeException e) {
                    pollErrors.incrementAndGet();
                    report("Polling in-process domain events failed", e);
                    break;
                }
                if (json == null) {
                    break;
                }
                taken++;
                process(json);
            }
            if (taken == maxEventsPerPoll) {
                eventsLagged.incrementAndGet();
                LOG.warning(() -> "Domain event poll cycle hit its limit of " + maxEventsPerPoll
                        + " events; more may be waiting");
            }
            return taken;
        }
    }

    /** Parses and dispatches one event JSON (also usable to inject events in tests). */
    public void process(String json) {
        DomainEvent event;
        try {
            event = DomainEvent.fromJson(json);
        } catch (RuntimeException e) {
            parseErrors.incrementAndGet();
            report("Skipping a malformed domain event", e);
            return;
        }
        dispatch(event);
    }

    /** Runs the publisher hooks, then every matching subscriber and callback. */
    public void dispatch(DomainEvent raw) {
        Instant receivedAt = Instant.now();
        lastEventAt = receivedAt;
        eventsProcessed.incrementAndGet();
        DomainEventPublisher publisher = publishers.forEvent(raw.eventName(), raw.declaredPublisher());
        EventDeclaration declaration = raw.declaration();
        StepEventContext context = StepEventContext.of(raw);
        DomainEvent event;
        Object payload = raw.payload();
        Map<String, Object> meta = new LinkedHashMap<>();
        try {
            if (!publisher.shouldPublish(raw.executionResult(), declaration, context)) {
                eventsSuppressed.incrementAndGet();
                recent.add(new RecentDomainEvents.Entry(raw, receivedAt, RecentDomainEvents.Outcome.SUPPRESSED, 0, 0));
                return;
            }
            // The default publisher keeps the engine's payload: it already is the step result, schema-checked.
            if (!(publisher == publishers.defaultPublisher())) {
                payload = publisher.transformPayload(raw.executionResult(), declaration, context);
            }
            meta.put("publisher", publisher.publisherName());
            meta.put("published_at", receivedAt.toString());
            meta.put("task_uuid", context.taskUuid());
            meta.put("step_uuid", context.stepUuid());
            meta.put("step_name", context.stepName());
            meta.put("namespace", context.namespace());
            Map<String, Object> extra = publisher.additionalMetadata(raw.executionResult(), declaration, context);
            if (extra != null) {
                meta.putAll(extra);
            }
            if (!publisher.beforePublish(raw.eventName(), payload, meta)) {
                eventsSuppressed.incrementAndGet();
                recent.add(new RecentDomainEvents.Entry(raw, receivedAt, RecentDomainEvents.Outcome.SUPPRESSED, 0, 0));
                return;
            }
            event = raw.withPublication(publisher.publisherName(), payload, meta);
        } catch (RuntimeException e) {
            publishErrors.incrementAndGet();
            safely(() -> publisher.onPublishError(raw.eventName(), e, raw.payload()));
            report("Publisher " + publisher.publisherName() + " failed on " + raw, e);
            recent.add(new RecentDomainEvents.Entry(raw, receivedAt, RecentDomainEvents.Outcome.PUBLISH_ERROR, 0, 0));
            return;
        }

        int delivered = 0;
        int failures = 0;
        for (DomainEventSubscriber s : subscribers.subscribersFor(event.eventName())) {
            delivered++;
            if (!deliver(s, event)) {
                failures++;
            }
        }
        for (Callback c : callbacks) {
            if (EventPatterns.matches(c.pattern, event.eventName())) {
                delivered++;
                try {
                    c.consumer.accept(event);
                } catch (RuntimeException e) {
                    failures++;
                    subscriberErrors.incrementAndGet();
                    report("Domain event callback for '" + c.pattern + "' failed on " + event, e);
                }
            }
        }
        final Object finalPayload = payload;
        safely(() -> publisher.afterPublish(event.eventName(), finalPayload, meta));
        recent.add(new RecentDomainEvents.Entry(
                event, receivedAt, RecentDomainEvents.Outcome.DELIVERED, delivered, failures));
    }

    private boolean deliver(DomainEventSubscriber s, DomainEvent event) {
        try {
            if (!s.beforeHandle(event)) {
                return true;
            }
            s.handle(event);
            s.afterHandle(event);
            return true;
        } catch (Exception e) {
            subscriberErrors.incrementAndGet();
            safely(() -> s.onHandleError(event, e));
            report("Domain event subscriber " + s.getClass().getName() + " failed on " + event, e);
            return false;
        }
    }

    /** {@code {pollCount, eventsProcessed, eventsLagged, running}} as in the TypeScript worker, plus error counters. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pollCount", pollCount.get());
        m.put("eventsProcessed", eventsProcessed.get());
        m.put("eventsLagged", eventsLagged.get());
        m.put("running", isRunning());
        m.put("eventsSuppressed", eventsSuppressed.get());
        m.put("parseErrors", parseErrors.get());
        m.put("publishErrors", publishErrors.get());
        m.put("subscriberErrors", subscriberErrors.get());
        m.put("pollErrors", pollErrors.get());
        m.put("lastEventAt", lastEventAt == null ? null : lastEventAt.toString());
        return m;
    }

    /** The last events seen, newest first. */
    public RecentDomainEvents recent() {
        return recent;
    }

    public PublisherRegistry publishers() {
        return publishers;
    }

    public SubscriberRegistry subscribers() {
        return subscribers;
    }

    /** The scheduled task: never lets an exception escape, which would cancel the schedule. */
    private void safeCycle() {
        try {
            pollOnce();
        } catch (Throwable t) {
            pollErrors.incrementAndGet();
            report("Domain event poll cycle failed", t);
        }
    }

    private void report(String message, Throwable error) {
        LOG.log(Level.WARNING, message, error);
        for (Consumer<Throwable> l : errorListeners) {
            try {
                l.accept(error);
            } catch (RuntimeException ignored) {
                // an error listener must not break delivery either
            }
        }
    }

    private static void safely(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A domain event hook failed", e);
        }
    }

    private record Callback(String pattern, Consumer<DomainEvent> consumer) {}
}
