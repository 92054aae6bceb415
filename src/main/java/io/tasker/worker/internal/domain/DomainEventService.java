package io.tasker.worker.internal.domain;

import io.tasker.worker.api.domain.DomainEventPublisher;
import io.tasker.worker.api.domain.DomainEventSubscriber;
import io.tasker.worker.api.domain.PublisherRegistry;
import io.tasker.worker.api.domain.SubscriberRegistry;
import io.tasker.worker.internal.ffi.TaskerFfi;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Starts domain event delivery in the server: registers every {@link DomainEventPublisher} and
 * {@link DomainEventSubscriber} bean, and polls the engine's in-process events on the container's
 * {@link ManagedScheduledExecutorService}.
 *
 * <p>Settings (MicroProfile Config): {@code tasker.domain-events.enabled} (default {@code true}),
 * {@code tasker.domain-events.poll-interval-ms} (default 10). The poll function is, in order: a
 * {@link DomainEventSource} bean, else the engine's {@code poll_in_process_events} through the {@link TaskerFfi}
 * bean. Without either nothing is polled (logged once).
 *
 * <p>Also produces the two registries, so applications can {@code @Inject PublisherRegistry} and
 * {@code @Inject SubscriberRegistry} to register programmatically.
 */
@ApplicationScoped
public class DomainEventService {

    private static final Logger LOG = Logger.getLogger(DomainEventService.class.getName());

    static final String ENABLED = "tasker.domain-events.enabled";
    static final String INTERVAL = "tasker.domain-events.poll-interval-ms";

    @Inject
    @Any
    Instance<DomainEventPublisher> publisherBeans;

    @Inject
    @Any
    Instance<DomainEventSubscriber> subscriberBeans;

    @Inject
    @Any
    Instance<DomainEventSource> sources;

    @Inject
    @Any
    Instance<TaskerFfi> engines;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final PublisherRegistry publishers = new PublisherRegistry();
    private final SubscriberRegistry subscribers = new SubscriberRegistry();
    private final InProcessDomainEventPoller poller = new InProcessDomainEventPoller(publishers, subscribers);
    private volatile boolean started;

    /** Runs when the application has started. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        start();
    }

    /** Registers the beans and starts polling; idempotent. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (DomainEventPublisher p : publisherBeans) {
            try {
                publishers.register(p);
            } catch (RuntimeException e) {
                // A duplicate name is a deployment mistake; report it loudly but keep the others working.
                LOG.log(Level.SEVERE, "Domain event publisher not registered: " + e.getMessage(), e);
            }
        }
        for (DomainEventSubscriber s : subscriberBeans) {
            subscribers.register(s);
        }
        subscribers.start();
        if (!setting(ENABLED, Boolean.class, Boolean.TRUE)) {
            LOG.info("In-process domain event delivery disabled (" + ENABLED + "=false)");
            return;
        }
        Supplier<String> poll = pollFunction();
        if (poll == null) {
            LOG.warning("No engine available to poll in-process domain events; subscribers will not be called");
            return;
        }
        poller.setPollFunction(poll);
        long interval = setting(INTERVAL, Long.class, 10L);
        poller.start(scheduler, Duration.ofMillis(Math.max(1, interval)));
        LOG.info(() -> "Domain event delivery started: " + subscribers.count() + " subscriber(s), " + publishers.count()
                + " custom publisher(s), polling every " + interval + " ms");
    }

    @PreDestroy
    synchronized void shutdown() {
        poller.stop();
        subscribers.stop();
    }

    /** For {@code @Inject PublisherRegistry}. */
    @Produces
    public PublisherRegistry publisherRegistry() {
        return publishers;
    }

    /** For {@code @Inject SubscriberRegistry}. */
    @Produces
    public SubscriberRegistry subscriberRegistry() {
        return subscribers;
    }

    /** The poller (stats, recent events). */
    public InProcessDomainEventPoller poller() {
        return poller;
    }

    /**
     * What a dashboard shows: {@code {stats, subscribers, publishers, recent}} with the newest events first
     * (at most {@code limit}).
     */
    public Map<String, Object> snapshot(int limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stats", poller.stats());
        m.put("subscribers", subscribers.stats());
        m.put("publishers", publishers.registeredNames());
        List<Map<String, Object>> recent = poller.recent().snapshot().stream()
                .limit(Math.max(0, limit))
                .map(RecentDomainEvents.Entry::toMap)
                .toList();
        m.put("recent", recent);
        return m;
    }

    private Supplier<String> pollFunction() {
        if (sources.isResolvable()) {
            DomainEventSource source = sources.get();
            return source::poll;
        }
        if (engines.isResolvable()) {
            return new EnginePoll(engines);
        }
        return null;
    }

    /**
     * Polls the engine once the worker has started it: the engine producer yields {@code null} until then, so it is
     * asked again on each poll until it answers, and the answer is kept (asking a {@code @Dependent} producer on every
     * poll would pile up instances).
     */
    private static final class EnginePoll implements Supplier<String> {
        private final Instance<TaskerFfi> engines;
        private volatile TaskerFfi ffi;

        EnginePoll(Instance<TaskerFfi> engines) {
            this.engines = engines;
        }

        @Override
        public String get() {
            TaskerFfi engine = ffi;
            if (engine == null) {
                engine = engines.get();
                if (engine == null) {
                    return null;
                }
                ffi = engine;
            }
            return engine.pollInProcessEvent();
        }
    }

    private static <T> T setting(String key, Class<T> type, T fallback) {
        try {
            Config config = ConfigProvider.getConfig();
            return config.getOptionalValue(key, type).orElse(fallback);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Bad value for " + key + "; using " + fallback, e);
            return fallback;
        }
    }
}
