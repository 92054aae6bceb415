package io.tasker.worker.api;

import java.util.Map;

/**
 * Convenience base class: the TypeScript worker's abstract {@code StepHandler}, with the {@code success}/{@code failure}
 * helpers and the handler's name and version taken from {@link StepHandler}.
 */
public abstract class BaseStepHandler implements ExecutableHandler {

    /** The callable from {@link StepHandler}, or the simple class name. */
    public String name() {
        StepHandler annotation = annotation();
        return annotation != null ? annotation.value() : userClass().getSimpleName();
    }

    /** The version from {@link StepHandler}, or {@code 1.0.0}. */
    public String version() {
        StepHandler annotation = annotation();
        return annotation != null ? annotation.version() : "1.0.0";
    }

    protected StepHandlerResult success(Object result) {
        return StepHandlerResult.success(result);
    }

    protected StepHandlerResult success(Object result, Map<String, ?> metadata) {
        return StepHandlerResult.success(result, metadata);
    }

    /** A retryable {@code handler_error}. */
    protected StepHandlerResult failure(String message) {
        return StepHandlerResult.failure(message);
    }

    protected StepHandlerResult failure(String message, ErrorType errorType, boolean retryable) {
        return StepHandlerResult.failure(message, errorType, retryable);
    }

    protected StepHandlerResult failure(
            String message, ErrorType errorType, boolean retryable, Map<String, ?> metadata) {
        return StepHandlerResult.failure(message, errorType, retryable, metadata);
    }

    protected StepHandlerResult failure(
            String message, String errorType, boolean retryable, Map<String, ?> metadata, String errorCode) {
        return StepHandlerResult.failure(message, errorType, retryable, metadata, errorCode);
    }

    private StepHandler annotation() {
        return userClass().getAnnotation(StepHandler.class);
    }

    /** CDI client proxies subclass the bean class; look through them. */
    private Class<?> userClass() {
        Class<?> c = getClass();
        while (c.getSuperclass() != null && c.getAnnotation(StepHandler.class) == null && c.isSynthetic()) {
            c = c.getSuperclass();
        }
        if (c.getAnnotation(StepHandler.class) == null
                && c.getSuperclass() != null
                && c.getSuperclass().getAnnotation(StepHandler.class) != null) {
            c = c.getSuperclass();
        }
        return c;
    }
}
