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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polling and dispatch. Events are polled in three places, each holding a slot per event it asks for:
 * <ul>
 *   <li><b>a handler thread</b>, right after it reported a step: it polls one event with the slot just freed and
 *       runs it itself ({@link InFlightStep#run}), so a busy worker hands nothing from thread to thread;</li>
 *   <li><b>the leader</b>, when the library has the ABI extensions: one idle handler thread at a time waits in the
 *       engine ({@code wait_for_step_events}, bounded by {@code poll-interval-ms}) holding one reserved slot, polls
 *       as soon as a step is ready, as many as there are free slots, in one batch, and runs the first event itself
 *       (leader/follower): ready → handler start wakes one thread, not a poller and then a handler thread. Before
 *       it runs that event it makes sure another thread leads ({@link #ensureLeader}: a handler thread that finds
 *       nothing to do takes the role itself, else a leader task goes to the handler executor). It never spins: with
 *       no slot free nobody waits, and the thread that frees one leads or polls for it. A leader gives its container
 *       thread back after {@value #RUN_MILLIS} ms and hands the role on;</li>
 *   <li><b>the poll tick</b>, every {@code poll-interval-ms}, on the container's scheduled executor: with only the 29
 *       contract functions it polls; with the extensions it only makes sure a leader is there when a slot is
 *       free (after a pause, a timeout or a refused executor).</li>
 * </ul>
 * The tick also fails events past their deadline and runs the due maintenance calls. Client calls never happen here
 * (docs/ffi-contract.md R11).
 *
 * <p><b>Deadlines.</b> The handler timeout counts from the poll, since the engine's own completion timeout does too.
 * An expired event (running, or waiting for its handler's cap) is failed as a retryable {@code timeout} and its
 * handler interrupted; a late result is dropped. The slot is freed with the timeout report, so a handler that
 * ignores interrupts keeps its thread but not its slot.
 */
final class PollLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());

    /** How long one thread leads at most before it hands the role on and gives its thread back. */
    static final long RUN_MILLIS = 1000;
    /** The tick's period while a thread leads and no step is in flight: nothing has a deadline then. */
    static final long IDLE_TICK_MILLIS = 100;
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
    private volatile boolean active;
    private volatile ScheduledFuture<?> scheduled;
    private ScheduledExecutorService scheduler;
    private final Object runLock = new Object();
    private boolean running; // guarded by runLock
    private final Executor handlerExecutor;
    /** A thread leads: it waits in the engine, or polls for what the wait announced. */
    private final java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean();
    /** A leader task is on its way to the handler executor and has not started. */
    private final java.util.concurrent.atomic.AtomicBoolean leaderRequested =
            new java.util.concurrent.atomic.AtomicBoolean();

    private final Runnable leaderTask = this::runLeaderTask;
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
        this.handlerExecutor = handlerExecutor;
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
        active = true;
        this.scheduler = scheduler;
        scheduled = waiting
                ? scheduler.schedule(this, 0, TimeUnit.NANOSECONDS)
                : scheduler.scheduleWithFixedDelay(this, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Stops polling and waits (up to {@code maxWaitMs}) until a tick in progress has returned and no thread leads,
     * so no engine call of the poller or a leader overlaps the shutdown calls that follow. A leader notices within
     * one wait ({@code poll-interval-ms}).
     */
    void stop(long maxWaitMs) {
        active = false;
        ScheduledFuture<?> f = scheduled;
        if (f != null) {
            f.cancel(false);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        synchronized (runLock) {
            while ((running || leading.get()) && System.nanoTime() - deadline < 0) {
                try {
                    runLock.wait(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
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
        try {
            long now = System.nanoTime();
            lastTickNanos = now;
            if (!slots.isEmpty()) {
                expireDeadlines(now);
            }
            timers.runDue(now);
            if (waiting) {
                ensureLeader();
            } else {
                pollAll();
            }
        } catch (Throwable t) {
            // A periodic task that throws is never run again: log and carry on.
            LOG.log(Level.WARNING, "Poll tick failed", t);
        } finally {
            synchronized (runLock) {
                running = false;
                runLock.notifyAll();
            }
            if (waiting && active) {
                reschedule();
            }
        }
    }

    /**
     * The waiting form's next tick: one {@code poll-interval-ms} ahead while a step is in flight (deadlines) or
     * nobody leads, else {@value #IDLE_TICK_MILLIS} ms, so an idle worker wakes the scheduler rarely; the leader
     * waits in the engine meanwhile.
     */
    private void reschedule() {
        long delay = leading.get() && slots.isEmpty()
                ? Math.max(intervalNanos, TimeUnit.MILLISECONDS.toNanos(IDLE_TICK_MILLIS))
                : intervalNanos;
        try {
            scheduled = scheduler.schedule(this, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The container is stopping its executor: the worker is being stopped with it.
            LOG.log(Level.FINE, "Poll tick not re-scheduled", e);
        }
    }

    /**
     * Makes sure a thread leads while a slot is free: unless one leads or a leader task is on its way, sends one to
     * the handler executor. Cheap when a leader is there (two volatile reads).
     */
    void ensureLeader() {
        if (!waiting
                || leading.get()
                || leaderRequested.get()
                || !active
                || !runtime.mayPoll()
                || !slots.anyFree()
                || !leaderRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            handlerExecutor.execute(leaderTask);
        } catch (RejectedExecutionException e) {
            // The container is stopping its executor; the tick tries again while the worker runs.
            leaderRequested.set(false);
            LOG.log(Level.FINE, "Leader task not accepted", e);
        }
    }

    private void runLeaderTask() {
        leaderRequested.set(false);
        InFlightStep step = lead();
        if (step != null) {
            step.run();
        }
    }

    /**
     * Leads, when no other thread does and the library has the extensions: waits in the engine with a reserved
     * slot and polls what the wait announced, until it has a startable step for the calling thread (returned),
     * nothing is free, the worker stops polling or {@value #RUN_MILLIS} ms passed (null). On the way out it hands
     * the role on, so a thread waits for the next step while this one runs its own.
     */
    InFlightStep lead() {
        if (!waiting || !active || !runtime.mayPoll() || !leading.compareAndSet(false, true)) {
            return null;
        }
        InFlightStep step = null;
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
            InFlightStep[] kept = new InFlightStep[1];
            while (step == null && active && runtime.mayPoll() && System.nanoTime() - end < 0) {
                if (!slots.tryReserve()) {
                    break; // every slot is busy: the thread that frees one leads or polls for it
                }
                int rc;
                try {
                    rc = ffi.waitForStepEvents(waitMillis);
                } catch (RuntimeException e) {
                    slots.unreserve();
                    throw e;
                }
                if (rc < 0 || !active || !runtime.mayPoll()) {
                    slots.unreserve();
                    break; // the engine is not running, or the worker stops polling: the tick retries
                }
                // Ready, or timed out: a timeout poll promotes steps whose retry backoff ran out.
                slots.claimReserved();
                pollBatch(1, kept);
                step = kept[0];
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Waiting for step events failed", e);
        } finally {
            leading.set(false);
            if (!active) {
                synchronized (runLock) {
                    runLock.notifyAll();
                }
            }
        }
        if (step == null || !ready.quickHandlers()) {
            ensureLeader();
        }
        // Else handlers are quick: this thread leads again once its step is done, sooner than a woken thread would
        // start, and no thread is woken to compete with the step for a core. The tick covers a step that is slow.
        return step;
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
     * completions share the next sync.
     */
    InFlightStep pollForRound(boolean keepOne) {
        if (!runtime.mayPoll()) {
            return null;
        }
        InFlightStep[] kept = keepOne ? new InFlightStep[1] : null;
        if (waiting && !durable) {
            if (keepOne && slots.tryTake()) {
                byte[] json = pollOne();
                if (json != null) {
                    dispatch(admit(json), kept);
                }
            }
            if (kept == null || kept[0] != null) {
                // This thread runs a step next (or is not a handler thread): another one must lead. Otherwise the
                // calling thread leads itself once it finds nothing to run (InFlightStep#execute).
                ensureLeader();
            }
            return kept == null ? null : kept[0];
        }
        while (runtime.mayPoll() && pollBatch(0, kept) > 0) {
            // each call fills every free slot it could take
        }
        if (kept == null || kept[0] != null) {
            ensureLeader();
        }
        return kept == null ? null : kept[0];
    }

    /** A slot was freed and nobody took it on: someone must lead (or poll, in the tick form). */
    void signalFree() {
        ensureLeader();
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
        int[] spans;
        try {
            spans = EventHeader.spans(batch);
        } catch (RuntimeException e) {
            spans = null;
        }
        if (spans == null) {
            // Nothing can be completed without the events; the engine's timeout will fail them.
            slots.giveBack(taken);
            LOG.severe(() -> "Unreadable step event batch from the engine: " + abbreviate(batch));
            return -1;
        }
        int got = 0;
        for (int i = 0; i < spans.length; i += 2) {
            if (got == taken) {
                // Never run more than the slots; the engine's timeout fails the surplus.
                LOG.severe("The engine returned more step events than asked for; the surplus is not run");
                break;
            }
            got++;
            EventHeader event;
            try {
                event = EventHeader.element(batch, spans[i], spans[i + 1]);
            } catch (Exception e) {
                event = null;
            }
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
