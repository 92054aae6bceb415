package io.tasker.worker.api.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The publishers this worker knows, by name (the TypeScript worker's {@code PublisherRegistry}). In the server every CDI bean
 * implementing {@link DomainEventPublisher} is registered at startup; inject this registry to add more
 * programmatically. {@code default} is always available and never needs registering.
 *
 * <p>Thread-safe. Once {@link #freeze() frozen} (which {@link #validateRequired} does on success) it refuses
 * changes.
 */
public class PublisherRegistry {

    private static final Logger LOG = Logger.getLogger(PublisherRegistry.class.getName());

    private final Map<String, DomainEventPublisher> publishers = new ConcurrentHashMap<>();
    private final DomainEventPublisher defaultPublisher;
    private volatile boolean frozen;

    public PublisherRegistry() {
        this(new DefaultPublisher());
    }

    /** A registry whose fallback is {@code defaultPublisher} (its name must be {@code default}). */
    public PublisherRegistry(DomainEventPublisher defaultPublisher) {
        if (!DefaultPublisher.NAME.equals(defaultPublisher.publisherName())) {
            throw new IllegalArgumentException("The default publisher must be named 'default'");
        }
        this.defaultPublisher = defaultPublisher;
    }

    /**
     * Adds a publisher.
     *
     * @throws DomainEventException {@code REGISTRY_FROZEN} when frozen, {@code DUPLICATE_PUBLISHER} when the name
     *                              (or {@code default}) is taken
     */
    public synchronized void register(DomainEventPublisher publisher) {
        String name = publisher.publisherName();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A publisher needs a non-empty publisherName()");
        }
        if (frozen) {
            throw new DomainEventException(
                    DomainEventException.Kind.REGISTRY_FROZEN,
                    "Publisher registry is frozen; cannot register '" + name + "'",
                    List.of(name));
        }
        if (DefaultPublisher.NAME.equals(name) || publishers.containsKey(name)) {
            throw new DomainEventException(
                    DomainEventException.Kind.DUPLICATE_PUBLISHER,
                    "Publisher '" + name + "' is already registered",
                    List.of(name));
        }
        publishers.put(name, publisher);
    }

    /** The publisher with this name ({@code default} included), or {@code null}. */
    public DomainEventPublisher get(String name) {
        return DefaultPublisher.NAME.equals(name) ? defaultPublisher : publishers.get(name);
    }

    /** The named publisher; the default one for {@code null}, {@code default} or (with a warning) an unknown name. */
    public DomainEventPublisher getOrDefault(String name) {
        if (name == null || name.isEmpty() || DefaultPublisher.NAME.equals(name)) {
            return defaultPublisher;
        }
        DomainEventPublisher found = publishers.get(name);
        if (found == null) {
            LOG.warning(() -> "Domain event publisher '" + name + "' is not registered; using the default publisher");
            return defaultPublisher;
        }
        return found;
    }

    /**
     * The named publisher.
     *
     * @throws DomainEventException {@code PUBLISHER_NOT_FOUND}
     */
    public DomainEventPublisher getStrict(String name) {
        DomainEventPublisher found = get(name);
        if (found == null) {
            throw new DomainEventException(
                    DomainEventException.Kind.PUBLISHER_NOT_FOUND,
                    "Publisher '" + name + "' is not registered",
                    List.of(name));
        }
        return found;
    }

    /**
     * The publisher for an event: the one the template names if registered; otherwise a registered publisher whose
     * {@link DomainEventPublisher#publishesFor()} matches the event name; otherwise the default.
     */
    public DomainEventPublisher forEvent(String eventName, String declaredPublisher) {
        if (declaredPublisher != null
                && !declaredPublisher.isEmpty()
                && !DefaultPublisher.NAME.equals(declaredPublisher)) {
            DomainEventPublisher named = publishers.get(declaredPublisher);
            if (named != null) {
                return named;
            }
            LOG.warning(() -> "Domain event publisher '" + declaredPublisher + "' (event " + eventName
                    + ") is not registered; using the default publisher");
        }
        for (String name : registeredNames()) { // sorted, so the choice is stable
            DomainEventPublisher p = publishers.get(name);
            if (p != null && EventPatterns.matchesAny(p.publishesFor(), eventName)) {
                return p;
            }
        }
        return defaultPublisher;
    }

    /** True for {@code default} and every registered name. */
    public boolean isRegistered(String name) {
        return DefaultPublisher.NAME.equals(name) || publishers.containsKey(name);
    }

    /** Registered names, sorted ({@code default} not included). */
    public List<String> registeredNames() {
        List<String> names = new ArrayList<>(publishers.keySet());
        names.sort(null);
        return names;
    }

    /** Number of registered publishers ({@code default} not counted). */
    public int count() {
        return publishers.size();
    }

    public boolean isEmpty() {
        return publishers.isEmpty();
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Removes a publisher; false when absent. @throws DomainEventException when frozen */
    public synchronized boolean unregister(String name) {
        checkNotFrozen(name);
        return publishers.remove(name) != null;
    }

    /** Removes every publisher. @throws DomainEventException when frozen */
    public synchronized void clear() {
        checkNotFrozen(null);
        publishers.clear();
    }

    /**
     * Checks that every name is registered, then freezes the registry.
     *
     * @throws DomainEventException {@code PUBLISHER_VALIDATION} listing the missing names
     */
    public synchronized void validateRequired(Collection<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!isRegistered(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new DomainEventException(
                    DomainEventException.Kind.PUBLISHER_VALIDATION,
                    "Missing domain event publishers: " + String.join(", ", missing),
                    missing);
        }
        freeze();
    }

    /** Refuses every later change. */
    public void freeze() {
        frozen = true;
    }

    /** Unfreezes and empties the registry (tests). */
    public synchronized void reset() {
        frozen = false;
        publishers.clear();
    }

    /** The fallback publisher. */
    public DomainEventPublisher defaultPublisher() {
        return defaultPublisher;
    }

    private void checkNotFrozen(String name) {
        if (frozen) {
            throw new DomainEventException(
                    DomainEventException.Kind.REGISTRY_FROZEN,
                    "Publisher registry is frozen",
                    name == null ? List.of() : List.of(name));
        }
    }
}
