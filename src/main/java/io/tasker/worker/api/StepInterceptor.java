package io.tasker.worker.api;

import java.util.concurrent.Callable;

/**
 * Wraps every handler call, on the handler's thread and inside its {@code StepLogContext}: the place to make a
 * tracing span current or time the call. In the container, every CDI bean implementing this is applied (ordered
 * by {@code jakarta.annotation.Priority}, lowest outermost); with none, the handler is called directly at no cost.
 *
 * <p>An interceptor must call {@code next} at most once and return its result (or its own); what it throws is
 * reported like a handler exception.
 */
@FunctionalInterface
public interface StepInterceptor {

    StepHandlerResult around(StepContext context, Callable<StepHandlerResult> next) throws Exception;
}
