package io.tasker.worker.internal.registry;

import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the event-form handlers of a plain object, without a CDI container: methods with a parameter
 * {@code @Observes @StepHandler("name") StepExecution}. The test kit uses it so an observer bean can be tested alone
 * or in a {@code TaskerTestEnvironment}; in the container, CDI delivers the event instead.
 */
public final class ObserverMethods {

    private ObserverMethods() {}

    /**
     * The handlers of {@code bean} by name, in declaration order of the class hierarchy (subclass first).
     *
     * @throws IllegalArgumentException when the bean has none, one name twice, an unqualified or asynchronous
     *                                  observer of {@link StepExecution}, or an observer with other parameters
     */
    public static Map<String, ObserverHandler> of(Object bean) {
        Map<String, ObserverHandler> found = new LinkedHashMap<>();
        for (Class<?> c = bean.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                for (Parameter p : m.getParameters()) {
                    if (p.getType() != StepExecution.class) {
                        continue;
                    }
                    String where = c.getName() + "." + m.getName();
                    if (p.isAnnotationPresent(ObservesAsync.class)) {
                        throw new IllegalArgumentException(where + ": a StepExecution observer must be synchronous "
                                + "(@Observes, not @ObservesAsync)");
                    }
                    if (!p.isAnnotationPresent(Observes.class)) {
                        continue;
                    }
                    StepHandler name = p.getAnnotation(StepHandler.class);
                    if (name == null) {
                        throw new IllegalArgumentException(where + ": an observer of StepExecution must name its "
                                + "handler: @Observes @StepHandler(\"name\") StepExecution");
                    }
                    if (m.getParameterCount() != 1 || Modifier.isStatic(m.getModifiers())) {
                        throw new IllegalArgumentException(where + ": the test kit calls observers that take only "
                                + "the StepExecution and are not static");
                    }
                    if (found.containsKey(name.value())) {
                        throw new IllegalArgumentException("Duplicate @StepHandler(\"" + name.value() + "\"): "
                                + found.get(name.value()).observer() + " and " + where + " both observe it");
                    }
                    m.setAccessible(true); // observer methods are usually package-private
                    found.put(
                            name.value(),
                            new ObserverHandler(name.value(), name.version(), where, step -> invoke(m, bean, step)));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(
                    bean.getClass().getName() + " has no @Observes @StepHandler(\"name\") StepExecution method");
        }
        return found;
    }

    private static void invoke(Method method, Object bean, StepExecution step) throws Exception {
        try {
            method.invoke(bean, step);
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
