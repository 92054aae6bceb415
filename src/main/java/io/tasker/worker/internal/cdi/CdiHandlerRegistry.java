package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import io.tasker.worker.internal.registry.HandlerSource;
import io.tasker.worker.internal.registry.Registration;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;

import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link io.tasker.worker.api.HandlerRegistry} applications inject: the {@code @StepHandler} beans found by
 * {@link StepHandlerExtension} plus programmatic registrations.
 *
 * <p>Normal-scoped handlers are resolved once and their client proxy reused. {@code @Dependent} handlers are created
 * for each call and destroyed right after it, so their {@code @PreDestroy} runs and nothing accumulates.
 */
@ApplicationScoped
public class CdiHandlerRegistry extends DefaultHandlerRegistry {

    public static final String CDI = "cdi";

    @Inject
    BeanManager beanManager;

    @Inject
    StepHandlerExtension extension;

    @PostConstruct
    void init() {
        Map<String, Registration> byName = new LinkedHashMap<>();
        extension.handlers().forEach((name, bean) -> byName.put(name, registration(name, bean)));
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
            ExecutableHandler proxy = (ExecutableHandler) beanManager.getReference(bean, ExecutableHandler.class,
                    beanManager.createCreationalContext(bean));
            return new Registration(name, version, type, CDI, proxy, () -> Registration.Lease.of(proxy));
        }
        return new Registration(name, version, type, CDI, null, () -> {
            CreationalContext<?> cc = beanManager.createCreationalContext(bean);
            ExecutableHandler instance = (ExecutableHandler) beanManager.getReference(bean, ExecutableHandler.class, cc);
            return new Registration.Lease(instance, cc::release);
        });
    }

    private static String version(Bean<?> bean) {
        for (Annotation q : bean.getQualifiers()) {
            if (q instanceof StepHandler h) {
                return h.version();
            }
        }
        return "1.0.0";
    }
}
