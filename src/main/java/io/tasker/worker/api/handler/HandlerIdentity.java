package io.tasker.worker.api.handler;

import io.tasker.worker.api.StepHandler;

/**
 * The name and version a handler reports, for the composable handler interfaces ({@link DecisionCapable} puts them
 * in result metadata). Classes extending {@link io.tasker.worker.api.BaseStepHandler} already have both methods;
 * other implementations inherit these defaults, which read {@link StepHandler} like the base class does.
 */
public interface HandlerIdentity {

    /** The callable from {@link StepHandler}, or the simple class name. */
    default String name() {
        StepHandler annotation = HandlerIdentitySupport.annotation(getClass());
        return annotation != null
                ? annotation.value()
                : HandlerIdentitySupport.userClass(getClass()).getSimpleName();
    }

    /** The version from {@link StepHandler}, or {@code 1.0.0}. */
    default String version() {
        StepHandler annotation = HandlerIdentitySupport.annotation(getClass());
        return annotation != null ? annotation.version() : "1.0.0";
    }
}

/** Looks through CDI client proxies (synthetic subclasses) to the annotated bean class. */
final class HandlerIdentitySupport {
    private HandlerIdentitySupport() {}

    static StepHandler annotation(Class<?> type) {
        return userClass(type).getAnnotation(StepHandler.class);
    }

    static Class<?> userClass(Class<?> type) {
        Class<?> c = type;
        while (c.getAnnotation(StepHandler.class) == null
                && c.getSuperclass() != null
                && (c.isSynthetic() || c.getName().contains("$$") || c.getName().contains("$Proxy$"))) {
            c = c.getSuperclass();
        }
        return c;
    }
}
