package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The poll tick, run by one scheduled thread every {@code poll-interval-ms}: it fails events past their deadline,
 * drains every available event while slots remain, hands each to the handler executor, and runs the due
 * maintenance calls. Client calls never happen here (docs/ffi-contract.md R11).
 *
 * <p><b>Draining.</b> Besides the tick, a freed slot asks for a drain at once ({@link #requestDrain}), so a busy
 * worker takes its next event as soon as it can run it instead of a full interval later. Only one thread drains at
 * a time; a request that arrives during a drain makes that drain go round once more, so no request is lost.
 *
 * <p><b>Deadlines.</b> The handler timeout counts from the poll, since the engine's own completion timeout does too.
 * An expired event (running, or waiting for its handler's cap) is failed as a retryable {@code timeout} and its
 * handler interrupted; a late result is dropped. The slot is freed with the timeout report, so a handler that
 * ignores interrupts keeps its thread but not its slot.
 */
final class PollLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());

    private final WorkerRuntime runtime;
    private final TaskerFfi ffi;
    private final ExecutionSlots slots;
    private final MaintenanceTimers timers;
    private final ExecutorService handlerExecutor;
    private final long timeoutNanos;
    private final long timeoutMs;

    private volatile long lastTickNanos = System.nanoTime();
    private final AtomicInteger drainRequests = new AtomicInteger();
    final LongAdder polls = new LongAdder();
    final LongAdder pollsEmpty = new LongAdder();
    final LongAdder pollsFailed = new LongAdder();
    final LongAdder received = new LongAdder();

    PollLoop(
            WorkerRuntime runtime,
            TaskerFfi ffi,
            ExecutionSlots slots,
            MaintenanceTimers timers,
            ExecutorService handlerExecutor,
            long timeoutMs) {
        this.runtime = runtime;
        this.ffi = ffi;
        this.slots = slots;
        this.timers = timers;
        this.handlerExecutor = handlerExecutor;
        this.timeoutMs = timeoutMs;
        this.timeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    /** Before the first tick. */
    void reset(long now) {
        timers.reset(now);
        lastTickNanos = now;
    }

    long lastTickNanos() {
        return lastTickNanos;
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        lastTickNanos = now;
        try {
            if (!slots.isEmpty()) {
                expireDeadlines(now);
            }
            requestDrain();
            timers.runDue(now);
        } catch (Throwable t) {
            // A periodic task that throws is never run again: log and carry on.
            LOG.log(Level.WARNING, "Poll tick failed", t);
        }
    }

    /**
     * Polls while slots and events are available, on the calling thread unless another thread is draining: that
     * one then drains once more on this request's behalf.
     */
    void requestDrain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int requests = 1;
        do {
            try {
                if (runtime.mayPoll()) {
                    pollAvailable();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Polling the engine failed", e);
            }
            requests = drainRequests.addAndGet(-requests);
        } while (requests != 0);
    }

    private void pollAvailable() {
        while (runtime.mayPoll() && slots.tryTake()) {
            String json;
            try {
                polls.increment();
                json = ffi.pollStepEvent();
            } catch (RuntimeException e) {
                pollsFailed.increment();
                slots.giveBack();
                throw e;
            }
            if (json == null) {
                pollsEmpty.increment();
                slots.giveBack();
                return;
            }
            dispatch(json);
        }
    }

    private void dispatch(String json) {
        long now = System.nanoTime();
        received.increment();
        ObjectNode event;
        String eventId;
        try {
            event = (ObjectNode) Json.MAPPER.readTree(json);
            eventId = InFlightStep.text(event, "event_id");
        } catch (Exception e) {
            event = null;
            eventId = null;
        }
        if (event == null || eventId == null) {
            // Without an event id nothing can be completed; the engine's timeout will fail it.
            slots.giveBack();
            LOG.severe(() -> "Unreadable step event from the engine: " + abbreviate(json));
            return;
        }
        InFlightStep execution = new InFlightStep(runtime, event, eventId, now, timeoutNanos);
        boolean startNow = slots.admit(execution);
        if (runtime.emitReceived) {
            runtime.emit(new StepExecutionReceived(
                    eventId,
                    execution.taskUuid(),
                    execution.stepUuid(),
                    execution.handlerName(),
                    execution.stepName(),
                    Instant.now()));
        }
        if (startNow) {
            submit(execution);
        }
    }

    /** Hands an admitted event to the handler executor; a rejection is reported as a retryable failure at once. */
    void submit(InFlightStep execution) {
        try {
            execution.attach(handlerExecutor.submit(execution));
        } catch (RejectedExecutionException e) {
            execution.finish(
                    StepHandlerResult.failure(
                            "Worker executor rejected the step: " + e.getMessage(), ErrorType.HANDLER_ERROR, true),
                    true,
                    null);
        }
    }

    private void expireDeadlines(long now) {
        for (InFlightStep e : slots.inFlight()) {
            if (now - e.deadlineNanos >= 0) {
                e.timeOut(timeoutMs);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
