package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import io.tasker.worker.internal.registry.HandlerSource;
import io.tasker.worker.internal.registry.ObserverHandler;
import io.tasker.worker.internal.registry.Registration;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObserverException;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Inject;
import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link io.tasker.worker.api.HandlerRegistry} applications inject: the {@code @StepHandler} beans and
 * {@code StepExecution} observers found by {@link StepHandlerExtension}, plus programmatic registrations.
 *
 * <p>An observer is registered as an {@link ObserverHandler} that fires the execution as a CDI event qualified with its
 * name; the qualified {@link Event} is selected once per name, so a step costs one synchronous event notification.
 *
 * <p>Normal-scoped handlers are resolved once and their client proxy reused. {@code @Dependent} handlers are created
 * for each call and destroyed right after it, so their {@code @PreDestroy} runs and nothing accumulates.
 */
@ApplicationScoped
public class CdiHandlerRegistry extends DefaultHandlerRegistry {

    public static final String CDI = "cdi";
    /** The source of event-form handlers in the handler list. */
    public static final String CDI_OBSERVER = "cdi-observer";

    @Inject
    BeanManager beanManager;

    @Inject
    StepHandlerExtension extension;

    @Inject
    @Any
    Event<StepExecution> executions;

    @PostConstruct
    void init() {
        Map<String, Registration> byName = new LinkedHashMap<>();
        extension.handlers().forEach((name, bean) -> byName.put(name, registration(name, bean)));
        extension.observers().forEach((name, observer) -> byName.put(name, registration(name, observer)));
        setSource(new HandlerSource() {
            @Override
            public Optional<Registration> find(String name) {
                return Optional.ofNullable(byName.get(name));
            }

            @Override
            public Collection<Registration> all() {
                return byName.values();
            }
        });
    }

    private Registration registration(String name, Bean<?> bean) {
        String version = version(bean);
        // Producer beans report the declaring class; dispatch then looks at the produced instance instead.
        Class<?> type = ExecutableHandler.class.isAssignableFrom(bean.getBeanClass()) ? bean.getBeanClass() : null;
        if (beanManager.isNormalScope(bean.getScope())) {
            ExecutableHandler proxy = (ExecutableHandler)
                    beanManager.getReference(bean, ExecutableHandler.class, beanManager.createCreationalContext(bean));
            return new Registration(name, version, type, CDI, proxy, () -> Registration.Lease.of(proxy));
        }
        return new Registration(name, version, type, CDI, null, () -> {
            CreationalContext<?> cc = beanManager.createCreationalContext(bean);
            ExecutableHandler instance =
                    (ExecutableHandler) beanManager.getReference(bean, ExecutableHandler.class, cc);
            return new Registration.Lease(instance, cc::release);
        });
    }

    private Registration registration(String name, ObserverMethod<?> observer) {
        String version = version(observer.getObservedQualifiers());
        Event<StepExecution> event = executions.select(StepHandler.Literal.of(name));
        ObserverHandler handler = new ObserverHandler(name, version, extension.describe(observer), step -> {
            try {
                event.fire(step);
            } catch (ObserverException e) {
                // CDI wraps a checked exception of the observer; report the observer's own exception.
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        });
        return new Registration(name, version, null, CDI_OBSERVER, handler, () -> Registration.Lease.of(handler));
    }

    private static String version(Bean<?> bean) {
        return version(bean.getQualifiers());
    }

    private static String version(Set<Annotation> qualifiers) {
        for (Annotation q : qualifiers) {
            if (q instanceof StepHandler h) {
                return h.version();
            }
        }
        return "1.0.0";
    }
}
