package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One polled step event, from dispatch to completion. It owns one execution slot of the runtime.
 *
 * <p>Exactly one outcome is sent per event: {@link #finish} is guarded by a compare-and-set, so whichever comes
 * first (the handler's result, the local timeout, or the shutdown straggler sweep) reports, and later outcomes are
 * dropped. The slot is released only after the engine has the outcome, so the poller never holds more events
 * than it has slots (docs/ffi-contract.md R1).
 */
final class InFlightStep implements Runnable {

    private static final Logger LOG = Logger.getLogger(InFlightStep.class.getName());

    private final WorkerRuntime runtime;
    private final ObjectNode event;
    final String eventId;
    private final String stepUuid;
    private final String taskUuid;
    private final HandlerDefinition definition;
    private final long polledAtNanos;
    final long deadlineNanos;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Future<?> future;
    private volatile long startedAtNanos;
    /** Holds a place in its handler's lane ({@link HandlerLimits}); guarded by that lane's lock. */
    boolean holdsLane;

    InFlightStep(WorkerRuntime runtime, ObjectNode event, String eventId, long polledAtNanos, long timeoutNanos) {
        this.runtime = runtime;
        this.event = event;
        this.eventId = eventId;
        this.stepUuid = text(event, "step_uuid");
        this.taskUuid = text(event, "task_uuid");
        this.definition = definition(event);
        this.polledAtNanos = polledAtNanos;
        this.deadlineNanos = polledAtNanos + timeoutNanos;
    }

    String handlerName() {
        return definition.callable();
    }

    String stepName() {
        JsonNode name = event.path("workflow_step").get("name");
        return name == null || name.isNull() ? null : name.asText();
    }

    String taskUuid() {
        return taskUuid;
    }

    String stepUuid() {
        return stepUuid;
    }

    void attach(Future<?> future) {
        this.future = future;
        if (finished.get()) {
            future.cancel(true);
        }
    }

    @Override
    public void run() {
        if (finished.get()) {
            return; // timed out or swept at shutdown before a thread picked it up
        }
        startedAtNanos = System.nanoTime();
        String callable = definition.callable();
        if (runtime.emitStarted) {
            runtime.emit(new StepExecutionStarted(
                    eventId,
                    taskUuid,
                    stepUuid,
                    callable,
                    stepName(),
                    event.path("workflow_step").path("attempts").asInt(0) + 1,
                    Instant.now(),
                    text(event, "correlation_id"),
                    text(event, "task_correlation_id")));
        }
        StepHandlerResult result;
        boolean systemError = false;
        String version = null;
        try {
            Optional<ExecutableHandler> handler = callable == null || callable.isEmpty()
                    ? Optional.empty()
                    : runtime.registry().resolve(definition);
            if (handler.isEmpty()) {
                result = notFound(callable);
                systemError = true;
            } else {
                version = runtime.handlerVersion(callable);
                try (StepLogContext ignored =
                        StepLogContext.open(taskUuid, stepUuid, callable, text(event, "correlation_id"))) {
                    result = invoke(handler.get(), StepContexts.fromEvent(event));
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
        finish(result, systemError, version);
    }

    private StepHandlerResult invoke(ExecutableHandler handler, StepContext ctx) throws Exception {
        List<StepInterceptor> chain = runtime.interceptors();
        if (chain.isEmpty()) {
            return handler.call(ctx);
        }
        return proceed(chain, 0, handler, ctx);
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
                "Handler '" + definition.callable() + "' timed out after " + timeoutMs + " ms",
                ErrorType.TIMEOUT,
                true);
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
        Future<?> f = future;
        if (f != null) {
            f.cancel(true);
        }
    }

    /**
     * Sends the outcome once. Returns false when another outcome was sent already. Never throws: every path ends
     * with the event completed (or refused by the engine) and the slot released.
     */
    boolean finish(StepHandlerResult result, boolean systemError, String handlerVersion) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        long start = startedAtNanos == 0 ? polledAtNanos : startedAtNanos;
        long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
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
                                eventId,
                                runtime.serializer()
                                        .minimalFailure(
                                                stepUuid, "Worker failed to report the result: " + t, elapsedMs));
            } catch (Throwable ignored) {
                // the engine's completion timeout will fail the event
            }
        } finally {
            runtime.release(this, result.isSuccess());
        }
        return true;
    }

    private void sendCompletion(StepHandlerResult result, boolean systemError, String version, long elapsedMs) {
        String json;
        StepHandlerResult sent = result;
        try {
            json = runtime.serializer().completion(stepUuid, result, elapsedMs, version, systemError);
        } catch (RuntimeException e) {
            // The handler's result or metadata could not be serialised: report that instead.
            sent = StepHandlerResult.failure(
                    "Result of handler '" + definition.callable() + "' could not be serialised: " + e.getMessage(),
                    ErrorType.HANDLER_ERROR,
                    true);
            json = runtime.serializer().completion(stepUuid, sent, elapsedMs, version, true);
        }
        boolean accepted = runtime.ffi().completeStepEvent(eventId, json);
        if (!accepted) {
            // Contract R6: the engine refused it; if our JSON was at fault the event is still pending. A minimal
            // failure
            // is always parseable; for an event that is really gone it is refused again, harmlessly.
            accepted = runtime.ffi()
                    .completeStepEvent(
                            eventId,
                            runtime.serializer()
                                    .minimalFailure(
                                            stepUuid,
                                            "Completion refused by the engine ("
                                                    + (sent.isSuccess() ? "success" : sent.getErrorType()) + ")",
                                            elapsedMs));
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
        String json;
        try {
            json = runtime.serializer().checkpoint(stepUuid, result.getCheckpoint());
        } catch (RuntimeException e) {
            sendCompletion(
                    StepHandlerResult.failure(
                            "Checkpoint of handler '" + definition.callable() + "' could not be serialised: "
                                    + e.getMessage(),
                            ErrorType.CHECKPOINT_ERROR,
                            true),
                    true,
                    null,
                    elapsedMs);
            return;
        }
        boolean accepted = runtime.ffi().checkpointYieldStepEvent(eventId, json);
        if (!accepted) {
            // The engine fails the step itself when it cannot store a checkpoint; if it did not (a parse error),
            // the event is still pending and this failure completes it.
            runtime.ffi()
                    .completeStepEvent(
                            eventId,
                            runtime.serializer()
                                    .minimalFailure(stepUuid, "Checkpoint refused by the engine", elapsedMs));
        }
        if (runtime.emitCheckpoint) {
            runtime.emit(new StepCheckpointYieldSent(
                    eventId,
                    taskUuid,
                    stepUuid,
                    definition.callable(),
                    result.getCheckpoint().cursor(),
                    result.getCheckpoint().itemsProcessed(),
                    accepted));
        }
    }

    private void emitOutcome(StepHandlerResult sent, long elapsedMs, boolean accepted) {
        if (sent.isSuccess()) {
            if (runtime.emitCompleted) {
                runtime.emit(new StepExecutionCompleted(
                        eventId, taskUuid, stepUuid, definition.callable(), sent, elapsedMs));
            }
        } else if (runtime.emitFailed) {
            runtime.emit(new StepExecutionFailed(eventId, taskUuid, stepUuid, definition.callable(), sent, elapsedMs));
        }
        if (runtime.emitCompletionSent) {
            runtime.emit(new StepCompletionSent(
                    eventId, taskUuid, stepUuid, definition.callable(), sent.isSuccess(), accepted));
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

    private static HandlerDefinition definition(ObjectNode event) {
        JsonNode h = event.path("step_definition").path("handler");
        String callable = text(h, "callable");
        String method = text(h, "method");
        String resolver = text(h, "resolver");
        JsonNode init = h.get("initialization");
        @SuppressWarnings("unchecked")
        Map<String, Object> initialization = init == null || !init.isObject() || init.isEmpty()
                ? Map.of()
                : io.tasker.worker.internal.Json.MAPPER.convertValue(init, Map.class);
        return new HandlerDefinition(callable, method, resolver, initialization);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
