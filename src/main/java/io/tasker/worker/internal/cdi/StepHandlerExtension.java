package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.events.StepLifecycleEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.enterprise.inject.spi.ProcessObserverMethod;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds every bean qualified {@code @StepHandler("name")} at deployment. Two beans with one name, or a qualified
 * bean that is not an {@link ExecutableHandler}, fail the deployment with an error naming the classes.
 *
 * <p>It also records which lifecycle event types have observers, so the runtime builds and fires only those.
 */
public class StepHandlerExtension implements Extension {

    private final Map<String, List<Bean<?>>> candidates = new TreeMap<>();
    private final Set<Type> syncObserved = ConcurrentHashMap.newKeySet();
    private final Set<Type> asyncObserved = ConcurrentHashMap.newKeySet();
    private final Map<Class<?>, Integer> observerFlags = new ConcurrentHashMap<>();
    private volatile Map<String, Bean<?>> handlers = Map.of();

    void collectHandler(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Annotation q : bean.getQualifiers()) {
            if (q instanceof StepHandler handler) {
                synchronized (candidates) {
                    candidates.computeIfAbsent(handler.value(), k -> new ArrayList<>()).add(bean);
                }
            }
        }
    }

    void collectObserver(@Observes ProcessObserverMethod<?, ?> event) {
        boolean unqualified = event.getObserverMethod().getObservedQualifiers().stream()
                .allMatch(q -> q instanceof Any || q instanceof Default);
        if (unqualified) {
            (event.getObserverMethod().isAsync() ? asyncObserved : syncObserved)
                    .add(event.getObserverMethod().getObservedType());
        }
    }

    void validate(@Observes AfterBeanDiscovery event) {
        Map<String, Bean<?>> found = new TreeMap<>();
        synchronized (candidates) {
            for (Map.Entry<String, List<Bean<?>>> e : candidates.entrySet()) {
                List<Bean<?>> beans = e.getValue();
                if (beans.size() > 1) {
                    event.addDefinitionError(new DeploymentException("Duplicate @StepHandler(\"" + e.getKey()
                            + "\"): " + describe(beans.get(0)) + " and " + describe(beans.get(1))
                            + (beans.size() > 2 ? " (and " + (beans.size() - 2) + " more)" : "")
                            + " both claim it; step handler names must be unique"));
                    continue;
                }
                Bean<?> bean = beans.get(0);
                if (!bean.getTypes().contains(ExecutableHandler.class)) {
                    event.addDefinitionError(new DeploymentException("@StepHandler(\"" + e.getKey() + "\") on "
                            + describe(bean) + ", which does not implement " + ExecutableHandler.class.getName()));
                    continue;
                }
                found.put(e.getKey(), bean);
            }
        }
        handlers = Collections.unmodifiableMap(found);
    }

    /** The validated handler beans by name. */
    public Map<String, Bean<?>> handlers() {
        return handlers;
    }

    /** Whether any unqualified observer (synchronous or asynchronous) would receive an event of this type. */
    public boolean isObserved(Class<? extends StepLifecycleEvent> eventType) {
        return matches(syncObserved, eventType) || matches(asyncObserved, eventType);
    }

    public boolean isObservedSync(Class<?> eventType) {
        return (flags(eventType) & 1) != 0;
    }

    public boolean isObservedAsync(Class<?> eventType) {
        return (flags(eventType) & 2) != 0;
    }

    /** Observers are fixed after deployment, so the answer per event class is computed once. */
    private int flags(Class<?> eventType) {
        return observerFlags.computeIfAbsent(eventType,
                t -> (matches(syncObserved, t) ? 1 : 0) | (matches(asyncObserved, t) ? 2 : 0));
    }

    private static boolean matches(Set<Type> observed, Class<?> eventType) {
        for (Type t : observed) {
            if (t instanceof Class<?> c && c.isAssignableFrom(eventType)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Bean<?> bean) {
        return bean.getBeanClass().getName();
    }
}
