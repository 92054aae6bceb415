package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polling and dispatch. Events are polled in three places, each holding a slot per event it asks for:
 * <ul>
 *   <li><b>a handler thread</b>, right after it reported a step: it polls one event with the slot just freed and
 *       runs it itself ({@link InFlightStep#run}), so a busy worker hands nothing from thread to thread;</li>
 *   <li><b>the poller</b>, when the library has the ABI extensions: it waits in the engine
 *       ({@code wait_for_step_events}, bounded by {@code poll-interval-ms} while steps are in flight and by
 *       {@value #IDLE_WAIT_MILLIS} ms while none are) holding one reserved slot, and polls as
 *       soon as a step is ready, as many as there are free slots, in one batch. It never spins: with no slot free it
 *       parks until a handler thread leaves one free. The task runs on the container's scheduled executor and
 *       re-schedules itself every {@value #RUN_MILLIS} ms, so it never holds a container thread for long;</li>
 *   <li><b>the poll tick</b>, every {@code poll-interval-ms}, when the library has only the 29 contract functions.</li>
 * </ul>
 * Both poller forms also fail events past their deadline and run the due maintenance calls. Client calls never
 * happen here (docs/ffi-contract.md R11).
 *
 * <p><b>Deadlines.</b> The handler timeout counts from the poll, since the engine's own completion timeout does too.
 * An expired event (running, or waiting for its handler's cap) is failed as a retryable {@code timeout} and its
 * handler interrupted; a late result is dropped. The slot is freed with the timeout report, so a handler that
 * ignores interrupts keeps its thread but not its slot.
 */
final class PollLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());

    /** How long one run of the waiting poller lasts before it re-schedules itself. */
    static final long RUN_MILLIS = 1000;
    /** The wait in the engine while no step is in flight (maintenance timers run at least this often). */
    static final int IDLE_WAIT_MILLIS = 250;
    /** The most events one batch poll asks for. */
    static final int MAX_BATCH = 64;

    private final WorkerRuntime runtime;
    private final TaskerFfi ffi;
    private final ExecutionSlots slots;
    private final MaintenanceTimers timers;
    private final ReadySteps ready;
    private final long timeoutNanos;
    private final long timeoutMs;
    private final long intervalNanos;
    private final int waitMillis;
    private final boolean waiting;
    /** Completions wait for a disk sync: a step's time is the sync's, not the CPU's (see pollForRound). */
    private final boolean durable;

    private volatile long lastTickNanos = System.nanoTime();
    private long nextExpiryNanos;
    private volatile boolean active;
    private volatile Thread pollerThread;
    private volatile ScheduledFuture<?> scheduled;
    private ScheduledExecutorService scheduler;
    private final Object runLock = new Object();
    private boolean running; // guarded by runLock
    final LongAdder polls = new LongAdder();
    final LongAdder pollsEmpty = new LongAdder();
    final LongAdder pollsFailed = new LongAdder();
    final LongAdder received = new LongAdder();

    PollLoop(
            WorkerRuntime runtime,
            TaskerFfi ffi,
            ExecutionSlots slots,
            MaintenanceTimers timers,
            Executor handlerExecutor,
            long timeoutMs,
            long intervalMs,
            boolean durable) {
        this.runtime = runtime;
        this.ffi = ffi;
        this.slots = slots;
        this.timers = timers;
        this.ready = new ReadySteps(handlerExecutor, durable);
        this.durable = durable;
        this.timeoutMs = timeoutMs;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.waitMillis = (int) Math.max(1, Math.min(intervalMs, 1000));
        this.waiting = ffi.hasExtensions();
    }

    /** Whether this poller waits in the engine (the library has the extensions) rather than ticking. */
    boolean waits() {
        return waiting;
    }

    /** Starts polling on {@code scheduler}. */
    void start(ScheduledExecutorService scheduler, long now) {
        timers.reset(now);
        lastTickNanos = now;
        nextExpiryNanos = now;
        this.scheduler = scheduler;
        active = true;
        scheduled = waiting
                ? scheduler.schedule(this, 0, TimeUnit.MILLISECONDS)
                : scheduler.scheduleWithFixedDelay(this, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Stops polling and waits (up to {@code maxWaitMs}) until a run in progress has returned, so no engine call of
     * the poller overlaps the shutdown calls that follow.
     */
    void stop(long maxWaitMs) {
        active = false;
        ScheduledFuture<?> f = scheduled;
        if (f != null) {
            f.cancel(false);
        }
        Thread t = pollerThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        synchronized (runLock) {
            while (running && System.nanoTime() - deadline < 0) {
                try {
                    runLock.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Ends a park of the waiting poller early (the worker was resumed). */
    void wake() {
        Thread t = pollerThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    long lastTickNanos() {
        return lastTickNanos;
    }

    @Override
    public void run() {
        synchronized (runLock) {
            if (!active || running) {
                return;
            }
            running = true;
        }
        pollerThread = Thread.currentThread();
        try {
            if (waiting) {
                waitAndPoll();
            } else {
                tick();
            }
        } catch (Throwable t) {
            // A periodic task that throws is never run again: log and carry on.
            LOG.log(Level.WARNING, "Poll tick failed", t);
        } finally {
            pollerThread = null;
            synchronized (runLock) {
                running = false;
                runLock.notifyAll();
            }
            if (waiting && active) {
                reschedule();
            }
        }
    }

    private void reschedule() {
        try {
            scheduled = scheduler.schedule(this, 0, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The container is stopping its executor: the worker is being stopped with it.
            LOG.log(Level.FINE, "Poller not re-scheduled", e);
        }
    }

    /** One tick of the contract-only poller. */
    private void tick() {
        long now = System.nanoTime();
        lastTickNanos = now;
        housekeeping(now, true);
        pollAll();
    }

    /** The waiting poller: until its run time is up, wait for a ready step, then poll every slot's worth. */
    private void waitAndPoll() {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
        while (active) {
            long now = System.nanoTime();
            lastTickNanos = now;
            housekeeping(now, false);
            if (now - end >= 0) {
                return;
            }
            if (!runtime.mayPoll()) {
                // Paused or draining: nothing to poll; deadlines still run every interval. resume() ends the park.
                LockSupport.parkNanos(this, intervalNanos);
                continue;
            }
            if (!slots.tryReserve()) {
                slots.parkUntilFree(intervalNanos);
                continue;
            }
            int rc;
            try {
                // With nothing in flight there is no deadline to check: wait longer. A new step ends the wait at
                // once, and the engine ends it when a retry comes due.
                rc = ffi.waitForStepEvents(slots.isEmpty() ? Math.max(IDLE_WAIT_MILLIS, waitMillis) : waitMillis);
            } catch (RuntimeException e) {
                slots.unreserve();
                throw e;
            }
            if (rc < 0 || !active || !runtime.mayPoll()) {
                slots.unreserve();
                if (rc < 0) {
                    LockSupport.parkNanos(this, intervalNanos); // not running: never a busy loop
                }
                continue;
            }
            // Ready, or timed out: a timeout poll promotes steps whose retry backoff ran out.
            slots.claimReserved();
            if (pollBatch(1, null) > 0) {
                pollAll();
            }
        }
    }

    private void housekeeping(long now, boolean always) {
        if (always || now - nextExpiryNanos >= 0) {
            nextExpiryNanos = now + intervalNanos;
            if (!slots.isEmpty()) {
                expireDeadlines(now);
            }
        }
        timers.runDue(now);
    }

    /** Polls while free slots and events remain. */
    private void pollAll() {
        while (runtime.mayPoll() && pollBatch(0, null) > 0) {
            // each call fills every free slot it could take
        }
    }

    /**
     * For a round of {@link EngineRounds}: returns one startable event for the calling thread to run next when
     * {@code keepOne}. With a waiting poller, that is all: the poller polls for the other free slots in one batch,
     * on another core while this thread runs its step, so the engine work of a busy worker is split between two
     * threads instead of queued behind one. Without it (the tick form) the round polls for every free slot and
     * hands the events it does not keep to the executor. An event that must wait for its handler's cap stays
     * queued, holding its slot. When completions wait for a disk sync the round polls for every free slot itself:
     * a step then waits on the disk, not on a core, and the sooner its slot takes the next event, the more
     * completions share the next sync. So it does while handlers are quick ({@link ReadySteps#quick}): the thread
     * then runs the polled steps one after the other and sends their completions in one round
     * ({@link EngineRounds#submit}), two engine calls for a whole batch instead of two per step.
     */
    InFlightStep pollForRound(boolean keepOne) {
        if (!runtime.mayPoll()) {
            slots.signalFree();
            return null;
        }
        InFlightStep[] kept = keepOne ? new InFlightStep[1] : null;
        if (waiting && !durable && !ready.quick()) {
            if (keepOne && slots.tryTake()) {
                byte[] json = pollOne();
                if (json != null) {
                    dispatch(admit(json), kept);
                }
            }
            slots.signalFree();
            return kept == null ? null : kept[0];
        }
        while (runtime.mayPoll() && pollBatch(0, kept) > 0) {
            // each call fills every free slot it could take
        }
        return kept == null ? null : kept[0];
    }

    /** Wakes the poller if it is parked for want of a slot. */
    void signalFree() {
        slots.signalFree();
    }

    /**
     * Takes free slots (beside {@code held} ones the caller already holds), polls that many events in one call
     * and dispatches them. Returns the number of events received, or -1 when fewer came than were asked for (the
     * queue is empty) or no slot was free.
     */
    private int pollBatch(int held, InFlightStep[] kept) {
        int taken = held + slots.tryTake((waiting ? MAX_BATCH : 1) - held);
        if (taken == 0) {
            return -1;
        }
        if (taken == 1) {
            byte[] json = pollOne();
            if (json == null) {
                return -1;
            }
            dispatch(admit(json), kept);
            return 1;
        }
        byte[] batch;
        try {
            polls.increment();
            batch = ffi.pollStepEventsBatch(taken);
        } catch (RuntimeException e) {
            pollsFailed.increment();
            slots.giveBack(taken);
            throw e;
        }
        if (batch == null) {
            pollsEmpty.increment();
            slots.giveBack(taken);
            return -1;
        }
        java.util.List<EventHeader> events;
        try {
            events = EventHeader.batch(batch);
        } catch (RuntimeException e) {
            events = null;
        }
        if (events == null) {
            // Nothing can be completed without the events; the engine's timeout will fail them.
            slots.giveBack(taken);
            LOG.severe(() -> "Unreadable step event batch from the engine: " + abbreviate(batch));
            return -1;
        }
        int got = 0;
        for (EventHeader event : events) {
            if (got == taken) {
                // Never run more than the slots; the engine's timeout fails the surplus.
                LOG.severe("The engine returned more step events than asked for; the surplus is not run");
                break;
            }
            got++;
            dispatch(admit(event, batch), kept);
        }
        slots.giveBack(taken - got);
        return got < taken ? -1 : got;
    }

    /** Keeps the first startable step in {@code kept} (when given and empty), submits the others. */
    private void dispatch(InFlightStep step, InFlightStep[] kept) {
        if (step == null) {
            return;
        }
        if (kept != null && kept[0] == null) {
            kept[0] = step;
        } else {
            submit(step);
        }
    }

    /** One event with one slot already taken, or null (the slot given back). */
    private byte[] pollOne() {
        byte[] json;
        try {
            polls.increment();
            json = ffi.pollStepEventBytes();
        } catch (RuntimeException e) {
            pollsFailed.increment();
            slots.giveBack();
            throw e;
        }
        if (json == null) {
            pollsEmpty.increment();
            slots.giveBack();
        }
        return json;
    }

    private InFlightStep admit(byte[] json) {
        EventHeader event;
        try {
            event = EventHeader.of(json);
        } catch (RuntimeException e) {
            event = null;
        }
        return admit(event, json);
    }

    /**
     * Registers a polled event on its slot. Returns the step when it may start now; null when it waits for its
     * handler's cap (it keeps the slot) or could not be read (its slot is given back).
     */
    private InFlightStep admit(EventHeader event, byte[] source) {
        long now = System.nanoTime();
        received.increment();
        String eventId = event == null ? null : event.eventId();
        if (eventId == null) {
            // Without an event id nothing can be completed; the engine's timeout will fail it.
            slots.giveBack();
            LOG.severe(() -> "Unreadable step event from the engine: " + abbreviate(source));
            return null;
        }
        InFlightStep step = new InFlightStep(runtime, event, now, timeoutNanos);
        boolean startNow = slots.admit(step);
        if (runtime.emitReceived) {
            runtime.emit(new StepExecutionReceived(
                    eventId, step.taskUuid(), step.stepUuid(), step.handlerName(), step.stepName(), Instant.now()));
        }
        return startNow ? step : null;
    }

    /** Hands an admitted step to the next free thread ({@link ReadySteps}). */
    void submit(InFlightStep step) {
        ready.add(step);
    }

    /** A waiting admitted step for a thread that just finished one, or null. */
    InFlightStep nextReady() {
        return ready.next();
    }

    /** Whether handlers are quick ({@link ReadySteps#quick}). */
    boolean handlersQuick() {
        return ready.quick();
    }

    /** A handler ran for {@code nanos} (the thread policy of {@link ReadySteps}). */
    void handlerRan(long nanos) {
        ready.ran(nanos);
    }

    private void expireDeadlines(long now) {
        for (InFlightStep e : slots.inFlight()) {
            if (now - e.deadlineNanos >= 0) {
                e.timeOut(timeoutMs);
            }
        }
    }

    private static String abbreviate(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
