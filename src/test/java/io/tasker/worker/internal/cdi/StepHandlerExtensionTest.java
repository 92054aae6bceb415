package io.tasker.worker.internal.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepLifecycleEvent;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.enterprise.inject.spi.ProcessObserverMethod;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The deployment checks of the extension, driven with stand-in CDI container events. */
class StepHandlerExtensionTest {

    static class Alpha implements ExecutableHandler {
        public StepHandlerResult call(io.tasker.worker.api.StepContext c) {
            return StepHandlerResult.success(null);
        }
    }

    static class Beta extends Alpha {}

    static class NotAHandler {}

    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, java.util.function.Function<String, Object> answers) {
        return (T) Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> answers.apply(method.getName()));
    }

    private static ProcessBean<?> bean(Class<?> beanClass, String name, Set<Type> types) {
        Bean<?> bean = fake(Bean.class, m -> switch (m) {
            case "getQualifiers" -> Set.<Annotation>of(StepHandler.Literal.of(name), Any.Literal.INSTANCE);
            case "getBeanClass" -> beanClass;
            case "getTypes" -> types;
            default -> null;
        });
        return fake(ProcessBean.class, m -> m.equals("getBean") ? bean : null);
    }

    private static List<Throwable> validate(StepHandlerExtension ext) {
        List<Throwable> errors = new ArrayList<>();
        AfterBeanDiscovery abd = (AfterBeanDiscovery) Proxy.newProxyInstance(
                AfterBeanDiscovery.class.getClassLoader(),
                new Class<?>[] {AfterBeanDiscovery.class},
                (p, method, args) -> {
                    if (method.getName().equals("addDefinitionError")) {
                        errors.add((Throwable) args[0]);
                    }
                    return null;
                });
        ext.validate(abd);
        return errors;
    }

    @Test
    void duplicateNamesFailTheDeploymentNamingBothClasses() {
        StepHandlerExtension ext = new StepHandlerExtension();
        ext.collectHandler(bean(Alpha.class, "charge", Set.of(Alpha.class, ExecutableHandler.class, Object.class)));
        ext.collectHandler(bean(Beta.class, "charge", Set.of(Beta.class, ExecutableHandler.class, Object.class)));
        ext.collectHandler(bean(Alpha.class, "refund", Set.of(Alpha.class, ExecutableHandler.class, Object.class)));
        List<Throwable> errors = validate(ext);
        assertEquals(1, errors.size());
        String message = errors.get(0).getMessage();
        assertTrue(
                message.contains("charge")
                        && message.contains(Alpha.class.getName())
                        && message.contains(Beta.class.getName()),
                message);
        assertEquals(Set.of("refund"), ext.handlers().keySet());
    }

    @Test
    void qualifiedBeanMustBeAHandler() {
        StepHandlerExtension ext = new StepHandlerExtension();
        ext.collectHandler(bean(NotAHandler.class, "x", Set.of(NotAHandler.class, Object.class)));
        List<Throwable> errors = validate(ext);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains(NotAHandler.class.getName()));
    }

    @Test
    void observedEventTypesAreRecorded() {
        StepHandlerExtension ext = new StepHandlerExtension();
        ObserverMethod<?> observer = fake(ObserverMethod.class, m -> switch (m) {
            case "getObservedType" -> StepExecutionFailed.class;
            case "getObservedQualifiers" -> Set.of();
            case "isAsync" -> false;
            default -> null;
        });
        ext.collectObserver(fake(ProcessObserverMethod.class, m -> m.equals("getObserverMethod") ? observer : null));
        assertTrue(ext.isObserved(StepExecutionFailed.class));
        assertTrue(ext.isObservedSync(StepExecutionFailed.class));
        assertFalse(ext.isObservedAsync(StepExecutionFailed.class));
        assertFalse(ext.isObserved(StepExecutionCompleted.class));
        ObserverMethod<?> all = fake(ObserverMethod.class, m -> switch (m) {
            case "getObservedType" -> StepLifecycleEvent.class;
            case "getObservedQualifiers" -> Set.of();
            case "isAsync" -> true;
            default -> null;
        });
        ext.collectObserver(fake(ProcessObserverMethod.class, m -> m.equals("getObserverMethod") ? all : null));
        assertTrue(ext.isObservedAsync(StepExecutionCompleted.class));
    }
}
