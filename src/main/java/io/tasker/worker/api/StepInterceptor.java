package io.tasker.worker.api;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wraps every handler call, on the handler's thread and inside its {@code StepLogContext}: the place to make a
 * tracing span current or time the call. In the container, every CDI bean implementing this is applied (ordered
 * by {@code jakarta.annotation.Priority}, lowest outermost); with none, the handler is called directly at no cost.
 *
 * <p>An interceptor must call {@code next} at most once and return its result (or its own); what it throws is
 * reported like a handler exception.
 *
 * <p>An {@link AsyncStepHandler} is wrapped by {@link #aroundAsync} instead. Its default runs {@link #around} and
 * waits for the stage inside it, which is right for any interceptor but holds the thread for the whole stage;
 * override it to wrap the stage without waiting (the built-in tracing interceptor does).
 */
@FunctionalInterface
public interface StepInterceptor {

    StepHandlerResult around(StepContext context, Callable<StepHandlerResult> next) throws Exception;

    /**
     * Wraps the call of an {@link AsyncStepHandler}: {@code next} starts the step and returns its stage (it may
     * throw, as {@code callAsync} may). Runs on the handler's thread, inside its log context; the stage's callbacks
     * do not. The default waits for the stage inside {@link #around}.
     */
    default CompletionStage<StepHandlerResult> aroundAsync(
            StepContext context, Callable<CompletionStage<StepHandlerResult>> next) throws Exception {
        return CompletableFuture.completedFuture(around(context, () -> {
            CompletionStage<StepHandlerResult> stage = next.call();
            return stage == null ? null : AsyncStepHandler.await(stage);
        }));
    }
}
