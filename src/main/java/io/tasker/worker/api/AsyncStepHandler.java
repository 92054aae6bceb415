package io.tasker.worker.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * A step handler that does not hold a thread while it waits: {@link #callAsync} starts the work (an HTTP call with
 * {@code HttpClient.sendAsync}, a JAX-RS {@code rx()} call, a reactive database driver) and returns at once; the
 * step's outcome is the stage's. It is the Java form of the TypeScript worker's {@code async call(context)}.
 *
 * <p>While the stage is pending the step keeps its execution slot, but no thread: a thousand steps waiting on I/O
 * need a thousand slots ({@code tasker.worker.max-concurrency}), not a thousand threads. The worker reports the
 * outcome on one of its handler threads, whichever thread completed the stage. The outcome follows the rules of
 * {@link ExecutableHandler#call}: a stage completed exceptionally with a {@link StepFailureException} reports what
 * it says, any other exception is a retryable {@code handler_error}, and so is a {@code null} result or stage.
 *
 * <p>The handler timeout ({@code tasker.worker.handler-timeout-ms}) covers the whole stage: past it the step is
 * failed as a retryable {@code timeout} and the stage is cancelled ({@code toCompletableFuture().cancel(true)});
 * a later result is dropped. The step's log context ({@code StepLogContext}) is open while {@code callAsync}
 * runs, not in the stage's callbacks.
 *
 * <p>As a CDI bean it may have any scope; a {@code @Dependent} one is destroyed when its stage completes. Registered
 * programmatically, an instance ({@code register(name, handler)}) runs asynchronously; a factory
 * ({@code register(name, version, factory)}) cannot be known to make asynchronous handlers before it is called, so
 * its handlers run through {@link #call}, which waits for the stage on the handler thread. Template method dispatch
 * ({@code handler.method}) calls the named method synchronously.
 *
 * <pre>{@code
 * @StepHandler("fetch_quote")
 * @ApplicationScoped
 * public class FetchQuote implements AsyncStepHandler {
 *     @Inject SharedHttpClient http;
 *
 *     public CompletionStage<StepHandlerResult> callAsync(StepContext ctx) {
 *         HttpRequest request = HttpRequest.newBuilder(URI.create(ctx.getInput("url", String.class))).build();
 *         return http.client().sendAsync(request, BodyHandlers.ofString())
 *                 .thenApply(r -> StepHandlerResult.success(Map.of("status", r.statusCode())));
 *     }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface AsyncStepHandler extends ExecutableHandler {

    /** Starts the step; the returned stage completes with its outcome. Never returns {@code null}. */
    CompletionStage<StepHandlerResult> callAsync(StepContext context) throws Exception;

    /**
     * Runs the step and waits for its outcome: how the test kit and any caller without the worker's runtime run an
     * asynchronous handler. The worker itself never calls it (it waits without a thread).
     */
    @Override
    default StepHandlerResult call(StepContext context) throws Exception {
        CompletionStage<StepHandlerResult> stage = callAsync(context);
        if (stage == null) {
            return null;
        }
        return await(stage);
    }

    /**
     * Waits for {@code stage} and returns its result; rethrows what it completed with, unwrapped from
     * {@link CompletionException}, as the synchronous call would. An interrupt cancels the stage.
     */
    static StepHandlerResult await(CompletionStage<StepHandlerResult> stage) throws Exception {
        java.util.concurrent.CompletableFuture<StepHandlerResult> future = stage.toCompletableFuture();
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof Exception ex) {
                throw ex;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
