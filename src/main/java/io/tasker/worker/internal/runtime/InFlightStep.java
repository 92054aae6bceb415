package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.HandlerDefinition;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepFailureException;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.internal.context.StepContexts;
import io.tasker.worker.internal.logging.StepLogContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One polled step event, from dispatch to completion. It owns one execution slot of the runtime.
 *
 * <p>Exactly one outcome is sent per event: {@link #finish} is guarded by a compare-and-set, so whichever comes
 * first (the handler's result, the local timeout, or the shutdown straggler sweep) reports, and later outcomes are
 * dropped. The slot is released only after the engine has the outcome, so the poller never holds more events
 * than it has slots (docs/ffi-contract.md R1). With a durable engine a handler thread's completion may free its
 * slot as soon as it is queued, within a bound ({@link WorkerRuntime#releaseBeforeSend}): the slot then runs the
 * next step while the completion waits for its disk sync.
 *
 * <p><b>Continuing on the same thread.</b> A thread runs {@link #run}, which runs this step and then, on the same
 * thread, the next one: the event the engine round kept for it, else a step waiting in {@link ReadySteps}, else an
 * event polled with the slot just freed. A busy worker thus hands few events from thread to thread; the executor
 * only starts threads when work arrives faster than running threads finish. A timeout interrupts the thread only
 * while it still runs the step that timed out, and the interrupt is cleared before the thread goes on.
 *
 * <p><b>Asynchronous handlers.</b> An {@link AsyncStepHandler}'s stage is waited for without a thread: the thread
 * that called it goes on to other steps, the step keeps its slot, and when the stage completes the step is queued
 * in {@link ReadySteps} again, so a handler thread reports it (never the thread that completed the stage, which
 * may be an HTTP client's). A stage already complete when {@code callAsync} returns is reported at once.
 */
final class InFlightStep implements Runnable {

    private static final Logger LOG = Logger.getLogger(InFlightStep.class.getName());

    private final WorkerRuntime runtime;
    private final EventHeader header;

    final String eventId;
    /** {@link #eventId} NUL-terminated, for the engine calls. */
    private final byte[] eventIdArg;

    private final String stepUuid;
    private final String taskUuid;
    private final String callable;
    private HandlerDefinition definition;
    private final long polledAtNanos;
    final long deadlineNanos;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile long startedAtNanos;
    /** The thread running the handler, while it does; guarded by {@code this}. */
    private Thread runner;
    /** A timeout or the shutdown sweep interrupted {@link #runner}; guarded by {@code this}. */
    private boolean interrupted;
    /** The event the reporting thread runs next: its handler's waiting event, or one the engine round polled. */
    private InFlightStep successor;
    /** The handler thread queued the completion for an engine round ({@link EngineRounds}), which polled already. */
    private boolean sentByRounds;
    /** The slot was freed when the completion was queued ({@link WorkerRuntime#releaseBeforeSend}). */
    private boolean releasedBeforeSend;
    /**
     * Completions its thread left queued, unsent, before it took this step ({@link EngineRounds#submit}); the
     * thread runs a round before it leaves ({@link #run}).
     */
    int deferredBefore;
    /** Holds a place in its handler's lane ({@link HandlerLimits}); guarded by that lane's lock. */
    boolean holdsLane;

    /** An asynchronous handler's stage: {@link #CALLING}, then {@link #WAITING} (the thread left) or {@link #DONE}. */
    private volatile int stagePhase;

    private static final int CALLING = 0;
    private static final int WAITING = 1;
    private static final int DONE = 2;
    private static final AtomicIntegerFieldUpdater<InFlightStep> STAGE_PHASE =
            AtomicIntegerFieldUpdater.newUpdater(InFlightStep.class, "stagePhase");
    /** The pending stage, to cancel on a timeout; null for a synchronous handler. */
    private volatile CompletionStage<StepHandlerResult> stage;
    /** What the stage completed with; written before {@link #stagePhase} becomes {@link #DONE}. */
    private StepHandlerResult stageResult;

    private Throwable stageFailure;
    private String stageVersion;

    InFlightStep(WorkerRuntime runtime, EventHeader header, long polledAtNanos, long timeoutNanos) {
        this.runtime = runtime;
        this.header = header;
        this.eventId = header.eventId();
        this.eventIdArg = io.tasker.worker.internal.ffi.TaskerFfi.nul(eventId);
        this.stepUuid = header.stepUuid();
        this.taskUuid = header.taskUuid();
        this.callable = header.callable();
        this.polledAtNanos = polledAtNanos;
        this.deadlineNanos = polledAtNanos + timeoutNanos;
    }

    String handlerName() {
        return callable;
    }

    String stepName() {
        return header.stepName();
    }

    String taskUuid() {
        return taskUuid;
    }

    String stepUuid() {
        return stepUuid;
    }

    /** Runs this step, then the steps this thread may take on after it. */
    @Override
    public void run() {
        InFlightStep next = this;
        boolean owesRound = false;
        while (next != null) {
            owesRound |= next.deferredBefore > 0;
            next = next.execute();
            if (next == null && owesRound) {
                // This thread left completions queued unsent (EngineRounds#submit): a round sends them before
                // it leaves, whichever way its last step ended.
                owesRound = false;
                next = runtime.pollNext();
            }
        }
    }

    /** Runs the handler and reports; returns the step this thread runs next, or null. */
    private InFlightStep execute() {
        if (finished.get()) {
            return null; // timed out or swept at shutdown before a thread picked it up
        }
        if (stage != null && stagePhase == DONE) {
            reportStage(); // an asynchronous handler's stage completed after its thread left: report it here
            return continueAfter();
        }
        synchronized (this) {
            runner = Thread.currentThread();
        }
        try {
            runHandler();
        } finally {
            synchronized (this) {
                runner = null;
                if (interrupted) {
                    Thread.interrupted(); // the interrupt was meant for this step only
                }
            }
        }
        return continueAfter();
    }

    /** After this step ran or went waiting on its stage: the step this thread runs next, or null. */
    private InFlightStep continueAfter() {
        InFlightStep next = successor;
        successor = null;
        if (Thread.currentThread().isInterrupted()) {
            if (next != null) {
                runtime.submit(next); // this thread stops; another one runs it
            }
            return null;
        }
        if (next == null) {
            next = runtime.nextReady();
        }
        if (next != null || sentByRounds) {
            return next;
        }
        return runtime.pollNext();
    }

    private void runHandler() {
        startedAtNanos = System.nanoTime();
        StepHandlerResult result;
        boolean systemError = false;
        String version = null;
        definition = header.definition();
        if (runtime.emitStarted) {
            runtime.emit(new StepExecutionStarted(
                    eventId,
                    taskUuid,
                    stepUuid,
                    callable,
                    stepName(),
                    header.attempts() + 1,
                    Instant.now(),
                    header.correlationId(),
                    header.taskCorrelationId()));
        }
        try {
            Optional<ExecutableHandler> handler = callable == null || callable.isEmpty()
                    ? Optional.empty()
                    : runtime.registry().resolve(definition);
            if (handler.isEmpty()) {
                result = notFound(callable);
                systemError = true;
            } else {
                version = runtime.handlerVersion(callable);
                CompletionStage<StepHandlerResult> pending = null;
                try (StepLogContext ignored =
                        StepLogContext.open(taskUuid, stepUuid, callable, header.correlationId())) {
                    StepContext ctx = StepContexts.fromEventBytes(header.raw(), callable);
                    if (handler.get() instanceof AsyncStepHandler async) {
                        pending = invokeAsync(async, ctx);
                        result = null; // a null stage reports as a null result
                    } else {
                        result = invoke(handler.get(), ctx);
                    }
                } finally {
                    runtime.handlerRan(System.nanoTime() - startedAtNanos);
                }
                if (pending != null) {
                    awaitStage(pending, version);
                    return;
                }
                if (result == null) {
                    result = HandlerOutcomes.noResult(callable);
                    systemError = true;
                }
            }
        } catch (StepFailureException e) {
            result = HandlerOutcomes.fromStepFailure(e);
        } catch (Throwable t) {
            if (finished.get()) {
                return; // interrupted after a timeout: the timeout was already reported
            }
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            result = HandlerOutcomes.fromException(t);
            systemError = true;
            if (t instanceof Error && !(t instanceof LinkageError) && !(t instanceof AssertionError)) {
                finish(result, true, version);
                throw (Error) t; // VirtualMachineError and friends must propagate
            }
        }
        report(result, systemError, version, true);
    }

    private StepHandlerResult invoke(ExecutableHandler handler, StepContext ctx) throws Exception {
        List<StepInterceptor> chain = runtime.interceptors();
        if (chain.isEmpty()) {
            return handler.call(ctx);
        }
        return proceed(chain, 0, handler, ctx);
    }

    private CompletionStage<StepHandlerResult> invokeAsync(AsyncStepHandler handler, StepContext ctx) throws Exception {
        List<StepInterceptor> chain = runtime.interceptors();
        if (chain.isEmpty()) {
            return handler.callAsync(ctx);
        }
        return proceedAsync(chain, 0, handler, ctx);
    }

    private static CompletionStage<StepHandlerResult> proceedAsync(
            List<StepInterceptor> chain, int index, AsyncStepHandler handler, StepContext ctx) throws Exception {
        if (index == chain.size()) {
            return handler.callAsync(ctx);
        }
        Callable<CompletionStage<StepHandlerResult>> next = () -> proceedAsync(chain, index + 1, handler, ctx);
        return chain.get(index).aroundAsync(ctx, next);
    }

    /**
     * Waits for an asynchronous handler's stage without this thread. If the stage completed already (its callback
     * ran inside {@code whenComplete}), the outcome is reported here and now; otherwise the callback queues the
     * step for a handler thread ({@link #execute}) once the stage completes.
     */
    private void awaitStage(CompletionStage<StepHandlerResult> pending, String version) {
        stageVersion = version;
        stage = pending;
        pending.whenComplete(this::stageCompleted);
        if (!STAGE_PHASE.compareAndSet(this, CALLING, WAITING)) {
            reportStage();
        }
    }

    /** The stage's callback, on whichever thread completed it. */
    private void stageCompleted(StepHandlerResult result, Throwable failure) {
        stageResult = result;
        stageFailure = failure;
        int phase = STAGE_PHASE.getAndSet(this, DONE);
        if (phase == WAITING && !finished.get()) {
            runtime.submit(this);
        }
    }

    /** Reports what the stage completed with, as {@link #runHandler} reports a synchronous call's outcome. */
    private void reportStage() {
        StepHandlerResult result = stageResult;
        boolean systemError = false;
        Throwable failure = stageFailure;
        if (failure != null) {
            Throwable cause = HandlerOutcomes.unwrap(failure);
            if (cause instanceof StepFailureException e) {
                result = HandlerOutcomes.fromStepFailure(e);
            } else {
                result = HandlerOutcomes.fromException(cause);
                systemError = true;
            }
        } else if (result == null) {
            result = HandlerOutcomes.noResult(callable);
            systemError = true;
        }
        report(result, systemError, stageVersion, true);
    }

    private static StepHandlerResult proceed(
            List<StepInterceptor> chain, int index, ExecutableHandler handler, StepContext ctx) throws Exception {
        if (index == chain.size()) {
            return handler.call(ctx);
        }
        return chain.get(index).around(ctx, () -> proceed(chain, index + 1, handler, ctx));
    }

    /** Reports the timeout unless the handler already finished, then interrupts the handler. */
    void timeOut(long timeoutMs) {
        StepHandlerResult r = StepHandlerResult.failure(
                "Handler '" + callable + "' timed out after " + timeoutMs + " ms", ErrorType.TIMEOUT, true);
        if (finish(r, true, null)) {
            cancelHandler();
        }
    }

    /** Reports a straggler at shutdown as a retryable failure, then interrupts the handler. */
    void abandon(String reason) {
        StepHandlerResult r = StepHandlerResult.failure(reason, ErrorType.HANDLER_ERROR, true)
                .withMetadata(Map.of("worker_shutdown", true));
        if (finish(r, true, null)) {
            cancelHandler();
        }
    }

    private void cancelHandler() {
        synchronized (this) {
            if (runner != null) {
                interrupted = true;
                runner.interrupt();
            }
        }
        CompletionStage<StepHandlerResult> pending = stage;
        if (pending != null) {
            try {
                pending.toCompletableFuture().cancel(true); // outside the lock: callbacks may run right here
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Stage of step " + stepUuid + " could not be cancelled", e);
            }
        }
    }

    /**
     * Sends the outcome once. Returns false when another outcome was sent already. Never throws: every path ends
     * with the event completed (or refused by the engine) and the slot released.
     */
    boolean finish(StepHandlerResult result, boolean systemError, String handlerVersion) {
        return report(result, systemError, handlerVersion, false);
    }

    /**
     * As {@link #finish}. {@code onHandlerThread}: the handler's own thread reports; a completion then goes to an
     * engine round ({@link EngineRounds}), and the thread runs the event it hands back.
     */
    private boolean report(
            StepHandlerResult result, boolean systemError, String handlerVersion, boolean onHandlerThread) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        long start = startedAtNanos == 0 ? polledAtNanos : startedAtNanos;
        long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
        if (onHandlerThread && !result.isCheckpointYield()) {
            EngineRounds.Outcome outcome = null;
            try {
                outcome = outcome(result, systemError, handlerVersion, elapsedMs);
            } catch (Throwable t) {
                LOG.log(Level.SEVERE, "Failed to serialise the outcome of step " + stepUuid, t);
            }
            if (outcome != null) {
                sentByRounds = true;
                releasedBeforeSend = runtime.releaseBeforeSend(this);
                successor = runtime.sendCompletion(outcome);
                return true;
            }
        }
        try {
            if (result.isCheckpointYield()) {
                sendCheckpoint(result, elapsedMs);
            } else {
                sendCompletion(result, systemError, handlerVersion, elapsedMs);
            }
        } catch (Throwable t) {
            // Last resort: nothing may leave the event pending in the engine.
            LOG.log(Level.SEVERE, "Failed to report step " + stepUuid + " (event " + eventId + ")", t);
            try {
                runtime.ffi()
                        .completeStepEvent(
                                eventIdArg,
                                nul(runtime.serializer()
                                        .minimalFailure(
                                                stepUuid, "Worker failed to report the result: " + t, elapsedMs)));
            } catch (Throwable ignored) {
                // the engine's completion timeout will fail the event
            }
        } finally {
            InFlightStep next = runtime.release(this, result.isSuccess());
            if (next != null) {
                if (onHandlerThread) {
                    successor = next;
                } else {
                    runtime.submit(next);
                }
            }
        }
        return true;
    }

    /** The completion to send: the result as serialised, or the failure that says it could not be. */
    private EngineRounds.Outcome outcome(
            StepHandlerResult result, boolean systemError, String version, long elapsedMs) {
        byte[] json;
        StepHandlerResult sent = result;
        try {
            json = runtime.serializer().completionBytes(stepUuid, result, elapsedMs, version, systemError);
        } catch (RuntimeException e) {
            // The handler's result or metadata could not be serialised: report that instead.
            sent = StepHandlerResult.failure(
                    "Result of handler '" + callable + "' could not be serialised: " + e.getMessage(),
                    ErrorType.HANDLER_ERROR,
                    true);
            json = runtime.serializer().completionBytes(stepUuid, sent, elapsedMs, version, true);
        }
        return new EngineRounds.Outcome(this, eventIdArg, json, sent, elapsedMs);
    }

    /**
     * After an engine round sent this step's completion: the R6 fallback, the outcome events, the slot. Never
     * throws; the slot is always released.
     */
    void afterSend(EngineRounds.Outcome outcome, boolean accepted) {
        try {
            afterSent(outcome.sent(), accepted, outcome.elapsedMs());
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "Failed to finish the report of step " + stepUuid + " (event " + eventId + ")", t);
        } finally {
            if (releasedBeforeSend) {
                runtime.answeredAfterRelease(outcome.sent().isSuccess());
            } else {
                InFlightStep next = runtime.release(this, outcome.sent().isSuccess());
                if (next != null) {
                    runtime.submit(next);
                }
            }
        }
    }

    private void sendCompletion(StepHandlerResult result, boolean systemError, String version, long elapsedMs) {
        EngineRounds.Outcome outcome = outcome(result, systemError, version, elapsedMs);
        afterSent(outcome.sent(), runtime.ffi().completeStepEvent(eventIdArg, outcome.json()), elapsedMs);
    }

    private void afterSent(StepHandlerResult sent, boolean accepted, long elapsedMs) {
        if (!accepted) {
            // Contract R6: the engine refused it; if our JSON was at fault the event is still pending. A minimal
            // failure
            // is always parseable; for an event that is really gone it is refused again, harmlessly.
            accepted = runtime.ffi()
                    .completeStepEvent(
                            eventIdArg,
                            nul(runtime.serializer()
                                    .minimalFailure(
                                            stepUuid,
                                            "Completion refused by the engine ("
                                                    + (sent.isSuccess() ? "success" : sent.getErrorType()) + ")",
                                            elapsedMs)));
            if (accepted) {
                LOG.warning(
                        () -> "Engine refused the completion of step " + stepUuid + "; sent a minimal failure instead");
            } else if (LOG.isLoggable(Level.FINE)) {
                LOG.fine("Engine refused the completion of step " + stepUuid + " (event " + eventId
                        + " no longer pending)");
            }
        }
        emitOutcome(sent, elapsedMs, accepted);
    }

    private void sendCheckpoint(StepHandlerResult result, long elapsedMs) {
        byte[] json;
        try {
            json = runtime.serializer().checkpointBytes(stepUuid, result.getCheckpoint());
        } catch (RuntimeException e) {
            sendCompletion(
                    StepHandlerResult.failure(
                            "Checkpoint of handler '" + callable + "' could not be serialised: " + e.getMessage(),
                            ErrorType.CHECKPOINT_ERROR,
                            true),
                    true,
                    null,
                    elapsedMs);
            return;
        }
        boolean accepted = runtime.ffi().checkpointYieldStepEvent(eventIdArg, json);
        if (!accepted) {
            // The engine fails the step itself when it cannot store a checkpoint; if it did not (a parse error),
            // the event is still pending and this failure completes it.
            runtime.ffi()
                    .completeStepEvent(
                            eventIdArg,
                            nul(runtime.serializer()
                                    .minimalFailure(stepUuid, "Checkpoint refused by the engine", elapsedMs)));
        }
        if (runtime.emitCheckpoint) {
            runtime.emit(new StepCheckpointYieldSent(
                    eventId,
                    taskUuid,
                    stepUuid,
                    callable,
                    result.getCheckpoint().cursor(),
                    result.getCheckpoint().itemsProcessed(),
                    accepted));
        }
    }

    private void emitOutcome(StepHandlerResult sent, long elapsedMs, boolean accepted) {
        if (sent.isSuccess()) {
            if (runtime.emitCompleted) {
                runtime.emit(new StepExecutionCompleted(eventId, taskUuid, stepUuid, callable, sent, elapsedMs));
            }
        } else if (runtime.emitFailed) {
            runtime.emit(new StepExecutionFailed(eventId, taskUuid, stepUuid, callable, sent, elapsedMs));
        }
        if (runtime.emitCompletionSent) {
            runtime.emit(new StepCompletionSent(eventId, taskUuid, stepUuid, callable, sent.isSuccess(), accepted));
        }
    }

    private StepHandlerResult notFound(String callable) {
        String message;
        if (callable == null || callable.isEmpty()) {
            message = "No handler callable in the step definition";
        } else if (definition.usesMethodDispatch() && runtime.registry().isRegistered(callable)) {
            message = "Handler '" + callable + "' has no public method '" + definition.method()
                    + "(StepContext)' returning StepHandlerResult";
        } else {
            message = "No handler registered for callable '" + callable + "'";
        }
        return StepHandlerResult.failure(message, ErrorType.HANDLER_NOT_FOUND, false);
    }

    private static byte[] nul(String s) {
        return io.tasker.worker.internal.ffi.TaskerFfi.nul(s);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
