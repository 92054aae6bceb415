package io.tasker.worker.api;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a CDI bean as the handler for one Tasker step callable.
 *
 * <p>The value must equal {@code handler.callable} of the template step. The bean must implement
 * {@link ExecutableHandler} (directly, or through one of the base classes such as {@link BaseStepHandler}).
 * Every such bean is registered at startup; two handlers with the same name stop the deployment.
 *
 * <p>On the parameter of an observer method it names a handler in the event form instead:
 * {@code void charge(@Observes @StepHandler("charge_payment") StepExecution step)} (see {@link StepExecution}).
 *
 * <pre>{@code
 * @StepHandler("double_value")
 * @ApplicationScoped
 * public class DoubleValue implements ExecutableHandler {
 *     public StepHandlerResult call(StepContext ctx) {
 *         int value = ctx.getInput("value", Integer.class);
 *         return StepHandlerResult.success(Map.of("result", value * 2));
 *     }
 * }
 * }</pre>
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface StepHandler {

    /** The handler name: the template's {@code handler.callable}. */
    String value();

    /** The handler version reported in the registry (the TypeScript worker's {@code handlerVersion}). */
    @Nonbinding
    String version() default "1.0.0";

    /** Annotation literal, for programmatic CDI lookups such as {@code Instance.select(StepHandler.Literal.of("x"))}. */
    final class Literal extends AnnotationLiteral<StepHandler> implements StepHandler {
        private static final long serialVersionUID = 1L;
        private final String value;
        private final String version;

        private Literal(String value, String version) {
            this.value = value;
            this.version = version;
        }

        public static Literal of(String value) {
            return new Literal(value, "1.0.0");
        }

        @Override
        public String value() {
            return value;
        }

        @Override
        public String version() {
            return version;
        }
    }
}
