package io.tasker.worker.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One step execution carried by a CDI event to the observer that handles it: the event form of a step handler.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class Payments {
 *     void charge(@Observes @StepHandler("charge_payment") StepExecution step) {
 *         long cents = step.context().getInput("amount_cents", Long.class);
 *         step.complete(Map.of("charged", cents));
 *     }
 * }
 * }</pre>
 *
 * <p>The worker fires the event synchronously on the handler's thread, with the same guarantees as an {@link
 * ExecutableHandler} bean: execution slots and per-handler caps, the handler timeout, interceptors, and exactly one
 * outcome sent to the engine. The observer reports that outcome <em>before it returns</em>, with one of {@link
 * #complete}, {@link #fail}, {@link #yieldCheckpoint} or {@link #finish}; a second report throws {@link
 * IllegalStateException}, and returning without one fails the step (retryable {@code handler_error}). An exception
 * thrown by the observer is reported exactly as one thrown by {@link ExecutableHandler#call}, even after an outcome
 * was reported.
 *
 * <p>Exactly one observer per handler name: the deployment fails on a second one, on a bean handler of the same name,
 * on an unqualified observer of this type, and on {@code @ObservesAsync}.
 */
public final class StepExecution {

    /** Marks an execution whose outcome was read without one being reported. */
    private static final StepHandlerResult NONE = StepHandlerResult.failure("no outcome");

    private final StepContext context;
    private final AtomicReference<StepHandlerResult> outcome = new AtomicReference<>();

    /** An execution of the step {@code context} describes; the test kit and the worker create them. */
    public StepExecution(StepContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** What the handler reads: input, configuration, dependency results, identity and attempts, checkpoint. */
    public StepContext context() {
        return context;
    }

    /** Succeeds with {@code result} (anything Jackson can serialise). */
    public void complete(Object result) {
        if (result instanceof StepHandlerResult r) {
            throw new IllegalArgumentException("complete() takes the step's result value; report a prepared "
                    + "StepHandlerResult (" + r + ") with finish()");
        }
        finish(StepHandlerResult.success(result));
    }

    /** Succeeds with {@code result} and handler metadata (sent under {@code metadata.custom}). */
    public void complete(Object result, Map<String, ?> metadata) {
        finish(StepHandlerResult.success(result, metadata));
    }

    /** Fails with a message, an error type and whether a retry may help. */
    public void fail(String message, ErrorType errorType, boolean retryable) {
        finish(StepHandlerResult.failure(message, errorType, retryable));
    }

    /** Fails as {@code failure} describes, exactly as if the observer had thrown it. */
    public void fail(StepFailureException failure) {
        finish(failure.toResult());
    }

    /** Saves progress and asks to be called again from {@code cursor} (batch workers). */
    public void yieldCheckpoint(Object cursor, long itemsProcessed, Object accumulatedResults) {
        finish(StepHandlerResult.checkpoint(cursor, itemsProcessed, accumulatedResults));
    }

    /**
     * Reports a prepared outcome: a success, failure or checkpoint built with {@link StepHandlerResult} or by one of
     * the handler helpers ({@code DecisionCapable}, {@code BatchableCapable}, {@code HttpCapable}).
     *
     * @throws IllegalStateException when an outcome was already reported, or the worker has already read it
     */
    public void finish(StepHandlerResult result) {
        Objects.requireNonNull(result, "result");
        if (!outcome.compareAndSet(null, result)) {
            StepHandlerResult earlier = outcome.get();
            throw new IllegalStateException(
                    earlier == NONE
                            ? "Step " + context.info().getStepUuid() + " (handler '"
                                    + context.info().getHandlerName() + "'): the "
                                    + "observer already returned; report the outcome before returning"
                            : "Step " + context.info().getStepUuid() + " (handler '"
                                    + context.info().getHandlerName() + "') already " + "has an outcome (" + earlier
                                    + "); an observer reports exactly one");
        }
    }

    /** Whether an outcome has been reported. */
    public boolean isFinished() {
        StepHandlerResult r = outcome.get();
        return r != null && r != NONE;
    }

    /**
     * The reported outcome, or empty when none was. Reading it closes the execution: a report after this throws, so
     * an observer that hands the step to another thread cannot report after the worker has moved on.
     */
    public Optional<StepHandlerResult> outcome() {
        outcome.compareAndSet(null, NONE);
        StepHandlerResult r = outcome.get();
        return r == NONE ? Optional.empty() : Optional.of(r);
    }

    @Override
    public String toString() {
        return "StepExecution[" + context + (isFinished() ? ", finished" : "") + "]";
    }
}
