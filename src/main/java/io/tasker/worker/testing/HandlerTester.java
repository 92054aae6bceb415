package io.tasker.worker.testing;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepFailureException;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.logging.StepLogContext;
import io.tasker.worker.internal.registry.ObserverHandler;
import io.tasker.worker.internal.registry.ObserverMethods;
import io.tasker.worker.internal.runtime.HandlerOutcomes;
import java.util.List;
import java.util.Map;

/**
 * Unit-tests one handler without a server or an engine: builds a {@link StepContext} like the worker would, runs
 * the handler, and turns exceptions into results exactly as the worker reports them.
 *
 * <pre>{@code
 * class RoutingDecisionTest {
 *     @Test
 *     void smallAmountsAreAutoApproved() {
 *         StepContext ctx = HandlerTester.context()
 *                 .input("amount", 250)
 *                 .dependencyResult("validate_request", Map.of("valid", true))
 *                 .build();
 *
 *         StepHandlerResult result = HandlerTester.run(new RoutingDecision(), ctx);
 *
 *         ResultAssert.assertThat(result).isSuccess().createsSteps("auto_approve");
 *     }
 * }
 * }</pre>
 *
 * <p>Works with any test framework: the assertions throw {@link AssertionError}. Handlers that need injected
 * collaborators are constructed by the test (pass fakes to their constructor or fields).
 */
public final class HandlerTester {

    private HandlerTester() {}

    /** A context builder with fresh ids, empty input and attempt 0 (see {@link StepContextBuilder}). */
    public static StepContextBuilder context() {
        return new StepContextBuilder();
    }

    /**
     * Runs {@code handler} on {@code ctx} as the worker would: inside the step's log context, a thrown
     * {@link StepFailureException} becomes its result, any other exception a retryable {@code handler_error}
     * ({@code "<class>: <message>"}, metadata {@code exception_class}, with a backtrace), and {@code null} a
     * retryable failure.
     */
    public static StepHandlerResult run(ExecutableHandler handler, StepContext ctx) {
        try (StepLogContext ignored = StepLogContext.open(
                ctx.info().getTaskUuid(),
                ctx.info().getStepUuid(),
                ctx.info().getHandlerName(),
                ctx.info().getCorrelationId())) {
            StepHandlerResult result = handler.call(ctx);
            return result == null ? HandlerOutcomes.noResult(ctx.info().getHandlerName()) : result;
        } catch (StepFailureException e) {
            return HandlerOutcomes.fromStepFailure(e);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return HandlerOutcomes.fromException(e);
        }
    }

    /**
     * Runs the event-form handler of {@code bean} ({@code @Observes @StepHandler("name") StepExecution}) on {@code ctx}
     * as the worker would: the observer named by the context's handler name when the bean has several, else its only
     * one. An observer that returns without an outcome gives a retryable {@code handler_error}, one that reports twice
     * a failure naming the {@link IllegalStateException}.
     */
    public static StepHandlerResult runObserver(Object bean, StepContext ctx) {
        Map<String, ObserverHandler> observers = ObserverMethods.of(bean);
        ObserverHandler handler = observers.size() == 1
                ? observers.values().iterator().next()
                : observers.get(ctx.info().getHandlerName());
        if (handler == null) {
            throw new IllegalArgumentException(bean.getClass().getName() + " observes " + observers.keySet()
                    + ", not the context's handler '" + ctx.info().getHandlerName() + "'");
        }
        return run(handler, ctx);
    }

    /** Builds the context with {@code configure} and runs the handler: {@code run(h, b -> b.input("x", 1))}. */
    public static StepHandlerResult run(
            ExecutableHandler handler, java.util.function.Consumer<StepContextBuilder> configure) {
        StepContextBuilder b = context();
        configure.accept(b);
        return run(handler, b.build());
    }

    /**
     * Runs a checkpointing handler to completion, feeding each checkpoint yield back as the next call's
     * checkpoint (as the engine does), at most {@code maxYields} times. Returns every result in order; the last is
     * the final one.
     */
    public static List<StepHandlerResult> runWithCheckpoints(
            ExecutableHandler handler, StepContextBuilder ctx, int maxYields) {
        List<StepHandlerResult> results = new java.util.ArrayList<>();
        StepHandlerResult r = run(handler, ctx.build());
        results.add(r);
        int yields = 0;
        while (r.isCheckpointYield()) {
            if (++yields > maxYields) {
                throw new AssertionError("Handler yielded more than " + maxYields + " checkpoints");
            }
            ctx.checkpoint(
                    r.getCheckpoint().cursor(),
                    r.getCheckpoint().itemsProcessed(),
                    r.getCheckpoint().accumulatedResults());
            r = run(handler, ctx.build());
            results.add(r);
        }
        return results;
    }
}
