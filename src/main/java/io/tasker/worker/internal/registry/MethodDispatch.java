package io.tasker.worker.internal.registry;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Template {@code handler.method} dispatch: calls a public method with that name taking {@link StepContext} and
 * returning {@link StepHandlerResult} on the handler. Lookups are cached per class.
 */
public final class MethodDispatch {

    private static final ClassValue<ConcurrentHashMap<String, Optional<Method>>> CACHE = new ClassValue<>() {
        @Override
        protected ConcurrentHashMap<String, Optional<Method>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private MethodDispatch() {}

    /** The dispatch target, or empty when the class has no such public method. */
    public static Optional<Method> find(Class<?> type, String name) {
        return CACHE.get(type).computeIfAbsent(name, n -> {
            try {
                Method m = type.getMethod(n, StepContext.class);
                boolean usable = Modifier.isPublic(m.getModifiers())
                        && !Modifier.isStatic(m.getModifiers())
                        && StepHandlerResult.class.isAssignableFrom(m.getReturnType());
                if (usable) {
                    m.setAccessible(true); // public methods of non-public classes
                }
                return usable ? Optional.of(m) : Optional.empty();
            } catch (NoSuchMethodException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** Invokes the method, rethrowing what the handler threw. */
    public static StepHandlerResult invoke(Method method, ExecutableHandler target, StepContext context)
            throws Exception {
        try {
            return (StepHandlerResult) method.invoke(target, context);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
