package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.events.StepLifecycleEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.enterprise.inject.spi.ProcessObserverMethod;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds every step handler at deployment: beans qualified {@code @StepHandler("name")} (the bean form) and observer
 * methods of {@code @Observes @StepHandler("name") StepExecution} (the event form). Two handlers of one name (beans,
 * observers, or one of each), a qualified bean that is not an {@link ExecutableHandler}, an observer of
 * {@link StepExecution} without a name, an asynchronous or transactional one, fail the deployment with an error
 * naming the classes.
 *
 * <p>It also records which lifecycle event types have observers, so the runtime builds and fires only those.
 */
public class StepHandlerExtension implements Extension {

    private final Map<String, List<Bean<?>>> candidates = new TreeMap<>();
    private final Set<Type> syncObserved = ConcurrentHashMap.newKeySet();
    private final Set<Type> asyncObserved = ConcurrentHashMap.newKeySet();
    private final Map<Class<?>, Integer> observerFlags = new ConcurrentHashMap<>();
    private final Map<String, List<ObserverMethod<?>>> observerCandidates = new TreeMap<>();
    private final Map<ObserverMethod<?>, String> observerNames = new IdentityHashMap<>();
    private volatile Map<String, Bean<?>> handlers = Map.of();
    private volatile Map<String, ObserverMethod<?>> observers = Map.of();

    void collectHandler(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Annotation q : bean.getQualifiers()) {
            if (q instanceof StepHandler handler) {
                synchronized (candidates) {
                    candidates
                            .computeIfAbsent(handler.value(), k -> new ArrayList<>())
                            .add(bean);
                }
            }
        }
    }

    void collectObserver(@Observes ProcessObserverMethod<?, ?> event) {
        ObserverMethod<?> observer = event.getObserverMethod();
        if (observer.getObservedType() == StepExecution.class) {
            collectStepObserver(event, observer);
            return;
        }
        boolean unqualified = event.getObserverMethod().getObservedQualifiers().stream()
                .allMatch(q -> q instanceof Any || q instanceof Default);
        if (unqualified) {
            (event.getObserverMethod().isAsync() ? asyncObserved : syncObserved)
                    .add(event.getObserverMethod().getObservedType());
        }
    }

    private void collectStepObserver(ProcessObserverMethod<?, ?> event, ObserverMethod<?> observer) {
        String where = describe(event, observer);
        StepHandler name = null;
        for (Annotation q : observer.getObservedQualifiers()) {
            if (q instanceof StepHandler h) {
                name = h;
            }
        }
        if (name == null) {
            event.addDefinitionError(
                    new DeploymentException("The observer " + where + " of " + StepExecution.class.getName()
                            + " must name its handler: @Observes @StepHandler(\"name\") StepExecution"));
        } else if (observer.isAsync()) {
            event.addDefinitionError(
                    new DeploymentException(
                            "The observer " + where + " of @StepHandler(\"" + name.value()
                                    + "\") must be synchronous (@Observes, not @ObservesAsync): the worker reads its outcome when it returns"));
        } else if (observer.getTransactionPhase() != null
                && observer.getTransactionPhase() != TransactionPhase.IN_PROGRESS) {
            event.addDefinitionError(
                    new DeploymentException("The observer " + where + " of @StepHandler(\"" + name.value()
                            + "\") must not be transactional (during = " + observer.getTransactionPhase() + ")"));
        } else {
            synchronized (candidates) {
                observerCandidates
                        .computeIfAbsent(name.value(), k -> new ArrayList<>())
                        .add(observer);
                observerNames.put(observer, where);
            }
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
            Map<String, ObserverMethod<?>> foundObservers = new TreeMap<>();
            for (Map.Entry<String, List<ObserverMethod<?>>> e : observerCandidates.entrySet()) {
                List<ObserverMethod<?>> list = e.getValue();
                List<Bean<?>> beans = candidates.get(e.getKey());
                if (list.size() > 1) {
                    event.addDefinitionError(new DeploymentException("Duplicate @StepHandler(\"" + e.getKey()
                            + "\"): the observers " + observerNames.get(list.get(0)) + " and "
                            + observerNames.get(list.get(1))
                            + (list.size() > 2 ? " (and " + (list.size() - 2) + " more)" : "")
                            + " both claim it; step handler names must be unique"));
                } else if (beans != null) {
                    event.addDefinitionError(new DeploymentException("Duplicate @StepHandler(\"" + e.getKey()
                            + "\"): the bean " + describe(beans.get(0)) + " and the observer "
                            + observerNames.get(list.get(0)) + " both claim it; step handler names must be unique"));
                    found.remove(e.getKey());
                } else {
                    foundObservers.put(e.getKey(), list.get(0));
                }
            }
            observers = Collections.unmodifiableMap(foundObservers);
        }
        handlers = Collections.unmodifiableMap(found);
    }

    /** The validated event-form handlers by name: one synchronous observer of {@link StepExecution} each. */
    public Map<String, ObserverMethod<?>> observers() {
        return observers;
    }

    /** The observer method as {@code Class.method}, for messages and the handler list. */
    public String describe(ObserverMethod<?> observer) {
        synchronized (candidates) {
            String where = observerNames.get(observer);
            return where != null ? where : observer.getBeanClass().getName();
        }
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
        return observerFlags.computeIfAbsent(
                eventType, t -> (matches(syncObserved, t) ? 1 : 0) | (matches(asyncObserved, t) ? 2 : 0));
    }

    private static boolean matches(Set<Type> observed, Class<?> eventType) {
        for (Type t : observed) {
            if (t instanceof Class<?> c && c.isAssignableFrom(eventType)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(ProcessObserverMethod<?, ?> event, ObserverMethod<?> observer) {
        AnnotatedMethod<?> method = event.getAnnotatedMethod();
        String type =
                observer.getBeanClass() == null ? "?" : observer.getBeanClass().getName();
        return method == null
                ? type
                : method.getJavaMember().getDeclaringClass().getName() + "."
                        + method.getJavaMember().getName();
    }

    private static String describe(Bean<?> bean) {
        return bean.getBeanClass().getName();
    }
}
