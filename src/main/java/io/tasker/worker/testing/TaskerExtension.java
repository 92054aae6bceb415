package io.tasker.worker.testing;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.client.TaskerClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The JUnit 5 extension behind {@link TaskerTest}: one {@link TaskerTestEnvironment} per test class, kept in this
 * extension's {@link ExtensionContext.Store} of the class and closed after all its tests; {@link TestHandler} fields
 * registered as handlers; {@link TaskerTestEnvironment} and {@link TaskerClient} parameters resolved.
 *
 * <p>The environment is started in {@code beforeAll}, or earlier if a constructor asks for it under
 * {@code @TestInstance(PER_CLASS)}. {@code @Nested} classes reuse the environment of the enclosing class.
 */
public final class TaskerExtension
        implements BeforeAllCallback, AfterAllCallback, TestInstancePostProcessor, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(TaskerExtension.class);
    private static final String KEY = "environment";

    /** The environment of a class and the handlers this extension created for its instance fields. */
    private record Started(TaskerTestEnvironment env, Map<Field, Object> created) implements AutoCloseable {
        @Override
        public void close() {
            env.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        started(context, context.getTestInstance().orElse(null));
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws IllegalAccessException {
        Started started = context.getStore(NAMESPACE).get(KEY, Started.class);
        if (started == null) {
            return; // PER_CLASS: beforeAll comes next and reads the fields of this instance
        }
        for (Map.Entry<Field, Object> e : started.created().entrySet()) {
            if (e.getKey().getDeclaringClass().isInstance(testInstance)) {
                e.getKey().set(testInstance, e.getValue());
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // remove() only looks at this class's own store, so a @Nested class leaves its outer class's environment open
        Started started = context.getStore(NAMESPACE).remove(KEY, Started.class);
        if (started != null) {
            started.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TaskerTestEnvironment.class || type == TaskerClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TaskerTestEnvironment env = started(context, null).env();
        return parameter.getParameter().getType() == TaskerClient.class ? env.client() : env;
    }

    /** The environment visible from {@code context}, started in the enclosing class context if there is none yet. */
    private static Started started(ExtensionContext context, Object testInstance) {
        Started existing = context.getStore(NAMESPACE).get(KEY, Started.class); // also searches enclosing contexts
        if (existing != null) {
            return existing;
        }
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()
                && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        Started started = start(testClass, testInstance);
        try {
            classContext.getStore(NAMESPACE).put(KEY, started);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    private static Started start(Class<?> testClass, Object testInstance) {
        TaskerTest config = findConfig(testClass)
                .orElseThrow(() -> new ExtensionConfigurationException(testClass.getName() + " uses "
                        + TaskerExtension.class.getSimpleName() + " without @" + TaskerTest.class.getSimpleName()));
        TaskerTestEnvironment.Builder builder = TaskerTestEnvironment.builder();
        for (String template : config.templates()) {
            builder.template(template);
        }
        if (config.bundledTemplates()) {
            builder.bundledTemplates();
        }
        for (String setting : config.settings()) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new ExtensionConfigurationException("@TaskerTest setting '" + setting + "' is not key=value");
            }
            builder.setting(
                    setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
        }
        Map<Field, Object> created = new LinkedHashMap<>();
        List<Field> fields = AnnotationSupport.findAnnotatedFields(
                testClass, TestHandler.class, f -> true, HierarchyTraversalMode.TOP_DOWN);
        for (Field field : fields) {
            Object value = handlerOf(field, testInstance, created);
            String name = field.getAnnotation(TestHandler.class).value();
            try {
                if (!(value instanceof ExecutableHandler handler)) {
                    if (!name.isEmpty()) {
                        throw new IllegalArgumentException("an observer bean is registered under the names of its "
                                + "@StepHandler observers; leave the @TestHandler value empty");
                    }
                    builder.observer(value);
                } else if (name.isEmpty()) {
                    builder.handler(handler);
                } else {
                    builder.handler(name, handler);
                }
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException(
                        "@TestHandler field " + describe(field) + ": " + e.getMessage(), e);
            }
        }
        return new Started(builder.build(), Map.copyOf(created));
    }

    /**
     * The handler (or event-form observer bean) a field holds, or a new one set into it (remembered in {@code created}
     * for later instances).
     */
    private static Object handlerOf(Field field, Object testInstance, Map<Field, Object> created) {
        boolean isStatic = Modifier.isStatic(field.getModifiers());
        Object target = isStatic ? null : testInstance;
        try {
            field.setAccessible(true);
            if (isStatic || testInstance != null) {
                Object value = field.get(target);
                if (value != null) {
                    return value;
                }
            }
            Object handler = instantiate(field);
            if (isStatic || testInstance != null) {
                field.set(target, handler);
            } else {
                created.put(field, handler);
            }
            return handler;
        } catch (IllegalAccessException e) {
            throw new ExtensionConfigurationException("Cannot access @TestHandler field " + describe(field), e);
        }
    }

    private static Object instantiate(Field field) {
        Class<?> type = field.getType();
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new ExtensionConfigurationException("@TestHandler field " + describe(field) + " has the abstract "
                    + "type " + type.getSimpleName() + ": assign an instance in a static field, or use "
                    + "@TestInstance(PER_CLASS)");
        }
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ExtensionConfigurationException(
                    "Cannot create the handler of @TestHandler field " + describe(field) + " with a no-arg constructor",
                    e);
        }
    }

    /** {@code @TaskerTest} on the class (or a meta-annotation, or a superclass), else on an enclosing class. */
    private static Optional<TaskerTest> findConfig(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<TaskerTest> found = AnnotationSupport.findAnnotation(c, TaskerTest.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static String describe(Field field) {
        return field.getDeclaringClass().getSimpleName() + "." + field.getName();
    }
}
