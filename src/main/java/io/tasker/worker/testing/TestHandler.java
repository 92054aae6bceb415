package io.tasker.worker.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a {@link TaskerTest} class as a handler to register with the class's
 * {@link TaskerTestEnvironment}: an {@link io.tasker.worker.api.ExecutableHandler}, or a bean with event-form handlers
 * ({@code @Observes @StepHandler("name") StepExecution} methods), registered under each observer's name.
 *
 * <p>The handler is registered under {@link #value()}, or, when that is empty, under the name of the handler class's
 * {@link io.tasker.worker.api.StepHandler @StepHandler}. A static field (or, with
 * {@code @TestInstance(PER_CLASS)}, an instance field) that already holds a handler is registered as it is; an empty
 * field is filled with a new instance made by the type's no-arg constructor. With the default per-method lifecycle,
 * instance fields are created from their type once per class and the same instance is set into every test instance,
 * so the field always holds the object the engine calls (give a pre-configured instance through a static field).
 * The same applies under {@code PER_CLASS} when the constructor asks for the environment, which then starts before
 * the fields are initialised.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TestHandler {

    /** The handler name; empty means the handler's {@code @StepHandler} name. */
    String value() default "";
}
