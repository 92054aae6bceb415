package io.tasker.worker.api.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subscribers this worker delivers domain events to (the TypeScript worker's {@code SubscriberRegistry}). In the server
 * every CDI bean implementing {@link DomainEventSubscriber} is registered and started automatically; inject this
 * registry to add more programmatically. Only started, active subscribers receive events.
 *
 * <p>Thread-safe; delivery reads a snapshot, so registering during delivery is safe.
 */
public class SubscriberRegistry {

    private static final Logger LOG = Logger.getLogger(SubscriberRegistry.class.getName());

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final List<Supplier<? extends DomainEventSubscriber>> pending = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    /** Adds a subscriber instance; active at once when the registry is started. */
    public void register(DomainEventSubscriber subscriber) {
        Entry e = new Entry(subscriber);
        e.active = started;
        entries.add(e);
    }

    /** The TypeScript worker's {@code registerInstance}. */
    public void registerInstance(DomainEventSubscriber subscriber) {
        register(subscriber);
    }

    /**
     * Adds a subscriber created at {@link #start()} (the TypeScript worker's {@code register(Class)}); a factory that throws is
     * logged and skipped.
     */
    public void register(Supplier<? extends DomainEventSubscriber> factory) {
        if (started) {
            instantiate(factory);
        } else {
            pending.add(factory);
        }
    }

    /** Creates pending subscribers and activates every subscriber (the TypeScript worker's {@code startAll}). Idempotent. */
    public synchronized void start() {
        for (Supplier<? extends DomainEventSubscriber> f : pending) {
            instantiate(f);
        }
        pending.clear();
        for (Entry e : entries) {
            e.active = true;
        }
        started = true;
    }

    /** Deactivates every subscriber (the TypeScript worker's {@code stopAll}). */
    public synchronized void stop() {
        for (Entry e : entries) {
            e.active = false;
        }
        started = false;
    }

    /** Removes a subscriber; false when absent. */
    public boolean unregister(DomainEventSubscriber subscriber) {
        return entries.removeIf(e -> e.subscriber == subscriber);
    }

    public boolean isStarted() {
        return started;
    }

    /** Registered subscribers (pending factories not counted). */
    public int count() {
        return entries.size();
    }

    /** Active subscribers that want {@code eventName}, in registration order. */
    public List<DomainEventSubscriber> subscribersFor(String eventName) {
        List<DomainEventSubscriber> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.active && safeMatches(e.subscriber, eventName)) {
                out.add(e.subscriber);
            }
        }
        return out;
    }

    /**
     * {@code {started, subscriberCount, activeCount, subscribers: [{className, active, patterns}]}}, as the TypeScript worker
     * reports it.
     */
    public Map<String, Object> stats() {
        List<Map<String, Object>> list = new ArrayList<>();
        int active = 0;
        for (Entry e : entries) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("className", userClassName(e.subscriber));
            s.put("active", e.active);
            s.put("patterns", patterns(e.subscriber));
            list.add(s);
            if (e.active) {
                active++;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", started);
        m.put("subscriberCount", entries.size());
        m.put("activeCount", active);
        m.put("subscribers", list);
        return m;
    }

    /** Stops and forgets everything (tests). */
    public synchronized void reset() {
        stop();
        entries.clear();
        pending.clear();
    }

    private void instantiate(Supplier<? extends DomainEventSubscriber> factory) {
        try {
            DomainEventSubscriber s = factory.get();
            Entry e = new Entry(s);
            e.active = true;
            entries.add(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "Could not create a domain event subscriber; skipping it", ex);
        }
    }

    private static boolean safeMatches(DomainEventSubscriber s, String eventName) {
        try {
            return s.matches(eventName);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "Subscriber " + userClassName(s) + " failed to match " + eventName, ex);
            return false;
        }
    }

    private static List<String> patterns(DomainEventSubscriber s) {
        try {
            return List.copyOf(s.subscribesTo());
        } catch (RuntimeException ex) {
            return List.of();
        }
    }

    /** CDI proxies are subclasses named {@code X$Proxy$…} or {@code X$$…}; report the bean class. */
    static String userClassName(Object o) {
        Class<?> c = o.getClass();
        while (c.getSuperclass() != null
                && c.getSuperclass() != Object.class
                && (c.isSynthetic() || c.getName().contains("$$") || c.getName().contains("$Proxy$"))) {
            c = c.getSuperclass();
        }
        return c.getName();
    }

    private static final class Entry {
        final DomainEventSubscriber subscriber;
        volatile boolean active;

        Entry(DomainEventSubscriber subscriber) {
            this.subscriber = subscriber;
        }
    }
}
