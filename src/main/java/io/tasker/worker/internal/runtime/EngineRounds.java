package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine work of handler threads, done by one of them at a time ("flat combining"). A thread whose handler
 * finished queues its completion and, unless another thread is already at it, runs <em>rounds</em>: send every
 * queued completion in one call ({@code complete_step_events_batch}, or one by one without the extensions), then
 * poll events for the slots that freed, in one call, keeping one for itself and handing the rest to the executor.
 *
 * <p>Why: every engine call holds the engine's single lock. With each thread making its own calls, threads queue
 * on that lock and the machine spends its time waking them; with the work combined, one thread makes few, larger
 * calls while the others run handlers. A thread that finds a round in progress leaves its completion to it and
 * goes on; the running thread checks the queue again after each round, so nothing queued is left behind. In
 * memory, while handlers are quick and steps wait in {@link ReadySteps}, a thread queues its completion and runs
 * a waiting step first (at most {@link #MAX_DEFERRED} in a row), so one round sends them all.
 *
 * <p>Measured (worker benchmark, in memory, trivial handler, 10 slots on 2 cores): with a round per step, 6,854
 * single polls and 807 completion batches for 12,000 steps, and the poller spent 4–7 µs of CPU per step batch-polling
 * the rest; with the deferral, about 1,300 batches of nine each way, the poller 0.1 µs per step, and 10 slots went
 * from below 1 slot to above it.
 *
 * <p>Guarantees kept: a completion is sent exactly once (the step's own compare-and-set decided it is the
 * outcome); the slot is freed only after the engine answered, except with a durable engine, where up to
 * {@code 2 × MAX_BATCH} queued completions may have freed theirs (see {@link #tryEarly}); a refused completion is followed by the minimal
 * failure (docs/ffi-contract.md R6); lifecycle events of the outcome are emitted after the engine answered, on the thread that sent it.
 */
final class EngineRounds {

    private static final Logger LOG = Logger.getLogger(EngineRounds.class.getName());

    /** The most completions one call sends. */
    static final int MAX_BATCH = 64;

    /**
     * The most completions one thread leaves queued, in memory, while it runs the steps waiting in
     * {@link ReadySteps} before it sends them all in one round (see {@link #submit}).
     */
    static final int MAX_DEFERRED = 16;

    /** A step's outcome waiting to be sent. */
    record Outcome(InFlightStep step, byte[] eventId, byte[] json, StepHandlerResult sent, long elapsedMs) {}

    private final TaskerFfi ffi;
    private final PollLoop pollLoop;
    private final boolean batches;
    private final ConcurrentLinkedQueue<Outcome> queue = new ConcurrentLinkedQueue<>();
    /** Rounds running now, at most {@link #maxRounds}. */
    private final AtomicInteger running = new AtomicInteger();

    private final int maxRounds;

    /** In memory, a quick handler's completion may wait for the next ones of its thread (see {@link #submit}). */
    private final boolean defers;

    /**
     * Completions queued or being sent whose step already gave its slot back, at most {@link #maxEarly}: with a
     * durable engine a slot is freed once its completion is queued, so the next commit carries the completions of
     * more steps than there are slots (each waits for a disk sync); in memory nothing is freed early.
     */
    private final AtomicInteger early = new AtomicInteger();

    private final int maxEarly;

    /**
     * @param durable the engine syncs each acknowledged completion to disk: then two rounds may run at once, so one
     *                round's completions are applied while the other's sync is under way and the engine's group
     *                commit overlaps them; in memory one round at a time keeps the engine's lock uncontended
     */
    EngineRounds(TaskerFfi ffi, PollLoop pollLoop, boolean durable) {
        this.ffi = ffi;
        this.pollLoop = pollLoop;
        this.batches = ffi.hasExtensions();
        this.maxRounds = durable ? 2 : 1;
        this.maxEarly = durable ? 2 * MAX_BATCH : 0;
        this.defers = !durable;
    }

    /** Takes a place for a completion sent after its slot was freed; false when the places are all taken. */
    boolean tryEarly() {
        return maxEarly > 0 && incrementBelow(early, maxEarly); // in memory: one branch, no shared counter
    }

    /** The engine answered a completion whose slot was freed early. */
    void earlyDone() {
        early.decrementAndGet();
    }

    /** Completions whose slot was freed early and that the engine has not answered yet. */
    int earlyPending() {
        return early.get();
    }

    private boolean enter() {
        return incrementBelow(running, maxRounds);
    }

    /** Adds one to {@code counter} unless it reached {@code max}; whether it did. */
    private static boolean incrementBelow(AtomicInteger counter, int max) {
        int n;
        do {
            n = counter.get();
            if (n >= max) {
                return false;
            }
        } while (!counter.compareAndSet(n, n + 1));
        return true;
    }

    /**
     * Queues {@code outcome} (may be null: only poll for free slots) and runs rounds unless another thread does.
     * Returns an event this thread should run next, or null.
     */
    InFlightStep submit(Outcome outcome) {
        if (outcome != null) {
            queue.add(outcome);
            if (defers && outcome.step().deferredBefore < MAX_DEFERRED && pollLoop.handlersQuick()) {
                // Steps are waiting for a thread and handlers are quick: run the next one first, and send this
                // completion with the ones after it in one call. A round per step cost one engine call for one
                // completion and one for one event; the thread that takes no waiting step runs the round, so
                // nothing queued is left behind. The step's slot stays taken until the round sent it.
                InFlightStep next = pollLoop.nextReady();
                if (next != null) {
                    next.deferredBefore = outcome.step().deferredBefore + 1;
                    return next;
                }
            }
        }
        if (!enter()) {
            // The running round sends what is queued and polls after it; a slot freed without an outcome is left
            // to the poller, in case that round has polled already.
            if (outcome == null) {
                pollLoop.signalFree();
            }
            return null;
        }
        InFlightStep next = null;
        do {
            try {
                InFlightStep kept = round(next == null);
                if (kept != null) {
                    next = kept;
                }
            } finally {
                running.decrementAndGet();
            }
        } while (!queue.isEmpty() && enter());
        return next;
    }

    /** Sends what is queued, then polls for the free slots. Returns the event kept for this thread, or null. */
    private InFlightStep round(boolean keepOne) {
        List<Outcome> items = new ArrayList<>();
        Outcome o;
        while (items.size() < MAX_BATCH && (o = queue.poll()) != null) {
            items.add(o);
        }
        if (!items.isEmpty()) {
            boolean[] accepted = send(items);
            for (int i = 0; i < items.size(); i++) {
                items.get(i).step().afterSend(items.get(i), accepted[i]);
            }
        }
        try {
            return pollLoop.pollForRound(keepOne);
        } catch (RuntimeException e) {
            // The completions are sent; a failed poll leaves the free slots to the poller.
            LOG.log(Level.WARNING, "Polling the engine failed", e);
            pollLoop.signalFree();
            return null;
        }
    }

    private boolean[] send(List<Outcome> items) {
        boolean[] accepted = null;
        if (batches && items.size() > 1) {
            try {
                accepted = ffi.completeStepEventsBatch(envelope(items), items.size());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Batch completion failed; sending the completions one by one", e);
            }
            if (accepted == null) {
                // Unreadable for the engine (then nothing was applied) or an unexpected answer: one by one.
                LOG.warning("The engine did not take a completion batch; sending its items one by one");
            }
        }
        if (accepted == null) {
            accepted = new boolean[items.size()];
            for (int i = 0; i < items.size(); i++) {
                Outcome item = items.get(i);
                try {
                    accepted[i] = ffi.completeStepEvent(item.eventId(), item.json());
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "Completion of event " + item.step().eventId + " failed", e);
                }
            }
        }
        return accepted;
    }

    /** {@code [["<event id>",<result>],…]} NUL-terminated, from the NUL-terminated parts. */
    static byte[] envelope(List<Outcome> items) {
        int size = 3;
        for (Outcome item : items) {
            size += item.eventId().length + item.json().length + 5;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < items.size(); i++) {
            Outcome item = items.get(i);
            if (i > 0) {
                out.write(',');
            }
            out.write('[');
            out.write('"');
            out.write(item.eventId(), 0, item.eventId().length - 1); // event ids are UUIDs: nothing to escape
            out.write('"');
            out.write(',');
            out.write(item.json(), 0, item.json().length - 1);
            out.write(']');
        }
        out.write(']');
        out.write(0);
        return out.toByteArray();
    }
}
