package io.tasker.worker.internal.runtime;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * Slot accounting: {@code max-concurrency} execution slots, the events holding them, and the optional per-handler
 * caps inside them.
 *
 * <p>The poller takes a slot <em>before</em> each {@code poll_step_events} and gives it back at once when nothing
 * was polled ({@link #giveBack}); otherwise the slot travels with the event and is released only after the engine
 * accepted (or refused) its outcome. The engine therefore never holds more of our events than we can run
 * (docs/ffi-contract.md R1). The one exception is bounded: with a durable engine, up to {@code 2 × MAX_BATCH}
 * completions already queued for the engine may have given their slots back ({@link EngineRounds#tryEarly}).
 *
 * <p>The poller that waits in the engine for the next ready step holds one slot meanwhile ({@link #tryReserve}),
 * so the event it is woken for has a slot; the reserved slot does not count as used. A poller with no slot to wait
 * with parks until one stays free ({@link #parkUntilFree}): a handler thread that finished gives its slot straight
 * to its next event and signals only when the slot stays free.
 */
final class ExecutionSlots {

    private final int total;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, InFlightStep> inFlight = new ConcurrentHashMap<>();
    private final HandlerLimits handlerLimits; // null without per-handler caps: the hot path then skips them
    private volatile long lastReleaseNanos = System.nanoTime();
    private volatile int maxObservedInFlight;
    private volatile int reserved;
    private volatile Thread parked;

    ExecutionSlots(int total, Map<String, Integer> handlerCaps) {
        this.total = total;
        this.slots = new Semaphore(total);
        this.handlerLimits = HandlerLimits.of(handlerCaps);
    }

    /** Takes a slot for the next poll; false when all are busy. */
    boolean tryTake() {
        return slots.tryAcquire();
    }

    /** Takes up to {@code max} slots at once (for one batch poll); returns how many. */
    int tryTake(int max) {
        int n = 0;
        while (n < max && slots.tryAcquire()) {
            n++;
        }
        return n;
    }

    /** Returns a slot taken for a poll that brought no runnable event; the slot stays free. */
    void giveBack() {
        slots.release();
        signalFree();
    }

    /** Returns {@code n} slots taken for polls that brought nothing. */
    void giveBack(int n) {
        if (n > 0) {
            slots.release(n);
            signalFree();
        }
    }

    /** Takes a slot for a wait in the engine (one poller only); it stays out of {@link #used()}. */
    boolean tryReserve() {
        if (!slots.tryAcquire()) {
            return false;
        }
        reserved = 1;
        return true;
    }

    /** The reserved slot becomes an ordinary taken slot, for the poll the wait announced. */
    void claimReserved() {
        reserved = 0;
    }

    /** Returns the reserved slot. */
    void unreserve() {
        reserved = 0;
        slots.release();
    }

    /**
     * Parks the calling poller up to {@code nanos} unless a slot is free; {@link #signalFree} ends the park early.
     * The park is re-checked after publishing the parked thread, so a slot freed in between is not missed.
     */
    void parkUntilFree(long nanos) {
        parked = Thread.currentThread();
        try {
            if (slots.availablePermits() == 0) {
                LockSupport.parkNanos(this, nanos);
            }
        } finally {
            parked = null;
        }
    }

    /**
     * Wakes a poller parked for want of a slot, if a slot is free now. Called when a slot was freed and nobody
     * took it on. Without a free slot the wake-up would only park the poller again: at one slot that was a futex
     * wake and two context switches per step (the benchmark counted 12,000 such wake-ups for 12,000 steps). The
     * poller publishes itself before it checks for a free slot and this reads it after the slot was released, so
     * one of the two sees the other.
     */
    void signalFree() {
        Thread t = parked;
        if (t != null && slots.availablePermits() > 0) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Registers a polled event on its slot. Returns true when it may start now, false when it waits for its
     * handler's cap (it keeps the slot meanwhile).
     */
    boolean admit(InFlightStep execution) {
        inFlight.put(execution.eventId, execution);
        int size = inFlight.size();
        if (size > maxObservedInFlight) {
            maxObservedInFlight = size;
        }
        return handlerLimits == null || handlerLimits.admit(execution);
    }

    /**
     * Frees the slot of a reported event. Returns the next waiting event of the same handler, which already holds
     * a slot and must be started now; or null.
     */
    InFlightStep release(InFlightStep execution) {
        inFlight.remove(execution.eventId, execution);
        lastReleaseNanos = System.nanoTime();
        slots.release();
        return handlerLimits == null ? null : handlerLimits.release(execution);
    }

    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    Collection<InFlightStep> inFlight() {
        return inFlight.values();
    }

    int inFlightCount() {
        return inFlight.size();
    }

    int total() {
        return total;
    }

    int used() {
        return total - slots.availablePermits() - reserved;
    }

    int maxObservedInFlight() {
        return maxObservedInFlight;
    }

    /** True when every slot is taken and none has been released for longer than {@code limitNanos}. */
    boolean allTakenLongerThan(long limitNanos) {
        if (slots.availablePermits() + reserved > 0 || inFlight.isEmpty()) {
            return false;
        }
        return System.nanoTime() - lastReleaseNanos > limitNanos;
    }

    /** Events in flight per handler callable (running or waiting); read off the hot path. */
    Map<String, Integer> inFlightByHandler() {
        Map<String, Integer> m = new TreeMap<>();
        for (InFlightStep e : inFlight.values()) {
            m.merge(String.valueOf(e.handlerName()), 1, Integer::sum);
        }
        return m;
    }

    Map<String, Map<String, Integer>> handlerLimits() {
        return handlerLimits == null ? Map.of() : handlerLimits.snapshot();
    }
}
