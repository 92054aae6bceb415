package io.tasker.worker.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed sign-ins per client address. After {@code maxFailures} in a row, the client is refused for
 * {@code lockout} whatever it sends: its password is not even checked, so a lucky guess during the lockout
 * teaches the client nothing. A successful sign-in clears the count. Memory is bounded: idle entries are
 * dropped once the table holds {@link #MAX_CLIENTS}.
 */
public final class SignInThrottle {

    static final int MAX_CLIENTS = 10_000;

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Entry> clients = new ConcurrentHashMap<>();

    /** State of one client; {@code lockedUntil} null while not locked. */
    private static final class Entry {
        int failures;
        Instant lockedUntil;
        Instant lastSeen;
        boolean refusalLogged;
    }

    /** What the caller should do with a failure it reports. */
    public record Failure(int failures, int maxFailures, boolean lockedNow) {}

    public SignInThrottle(int maxFailures, Duration lockout, Clock clock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1, got " + maxFailures);
        }
        if (lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("lockout must be positive, got " + lockout);
        }
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    public Duration lockout() {
        return lockout;
    }

    /** Remaining lockout of this client, or zero when it may try. */
    public Duration lockedFor(String client) {
        Entry e = clients.get(client);
        if (e == null) {
            return Duration.ZERO;
        }
        synchronized (e) {
            Instant now = clock.instant();
            if (e.lockedUntil == null) {
                return Duration.ZERO;
            }
            if (!now.isBefore(e.lockedUntil)) {
                // lockout over: one more failure locks again at once, so a slow guesser stays slow
                e.lockedUntil = null;
                e.failures = maxFailures - 1;
                e.refusalLogged = false;
                return Duration.ZERO;
            }
            return Duration.between(now, e.lockedUntil);
        }
    }

    /** True only the first time a locked client is refused in this lockout: log it once, not per request. */
    public boolean firstRefusal(String client) {
        Entry e = clients.get(client);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            boolean first = !e.refusalLogged;
            e.refusalLogged = true;
            return first;
        }
    }

    public Failure failed(String client) {
        prune();
        Entry e = clients.computeIfAbsent(client, k -> new Entry());
        synchronized (e) {
            Instant now = clock.instant();
            e.lastSeen = now;
            e.failures++;
            boolean lockedNow = e.failures >= maxFailures && e.lockedUntil == null;
            if (lockedNow) {
                e.lockedUntil = now.plus(lockout);
                e.refusalLogged = false;
            }
            return new Failure(e.failures, maxFailures, lockedNow);
        }
    }

    public void succeeded(String client) {
        clients.remove(client);
    }

    private void prune() {
        if (clients.size() < MAX_CLIENTS) {
            return;
        }
        Instant idle = clock.instant().minus(lockout.multipliedBy(2));
        for (Iterator<Entry> it = clients.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            synchronized (e) {
                if (e.lastSeen.isBefore(idle) && (e.lockedUntil == null || e.lockedUntil.isBefore(idle))) {
                    it.remove();
                }
            }
        }
    }
}
