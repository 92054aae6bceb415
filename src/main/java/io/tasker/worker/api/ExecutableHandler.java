package io.tasker.worker.api;

import java.util.List;
import java.util.Map;

/**
 * A step handler: the unit of business logic the worker runs for one step execution.
 *
 * <p>Implementations are usually CDI beans qualified with {@link StepHandler}; they may also be registered
 * programmatically through {@link HandlerRegistry}. {@link #call} runs on a container-managed thread; it may
 * return a failure result, or throw: a {@link StepFailureException} is reported as it says, any other
 * exception is reported as a retryable {@code handler_error}.
 */
@FunctionalInterface
public interface ExecutableHandler {

    /** Runs the step. Never returns {@code null}. */
    StepHandlerResult call(StepContext context) throws Exception;

    /** Capabilities reported in the registry (the TypeScript worker's {@code capabilities}). */
    default List<String> capabilities() {
        return List.of("process");
    }

    /** An optional JSON-schema-like description of {@code handler.initialization}; {@code null} when none. */
    default Map<String, Object> configSchema() {
        return null;
    }
}
