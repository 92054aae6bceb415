package io.tasker.worker.internal.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepFailureException;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.internal.runtime.HandlerOutcomes;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * One span per handler execution, made current around the handler call, so spans the handler opens itself
 * ({@code @WithSpan}, a JAX-RS client call) become its children and log records carry its trace id.
 *
 * <p>The runtime calls interceptors on the handler's thread, inside the step's log context, outermost first by
 * {@link Priority}: telemetry is outermost. Name {@code step <handler>} (handler names bounded), kind CONSUMER,
 * no parent: the engine carries no trace context, and a pooled thread must never lend a stale one. With the
 * OpenTelemetry SDK disabled the tracer is a no-op.
 */
@ApplicationScoped
@Priority(StepSpanInterceptor.PRIORITY)
public class StepSpanInterceptor implements StepInterceptor {

    /** Lower runs further out; application interceptors should use higher values. */
    public static final int PRIORITY = 100;

    static final AttributeKey<String> TASK_UUID = AttributeKey.stringKey("tasker.task.uuid");
    static final AttributeKey<String> STEP_UUID = AttributeKey.stringKey("tasker.step.uuid");
    static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("tasker.step.name");
    static final AttributeKey<String> TASK_NAME = AttributeKey.stringKey("tasker.task.name");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("tasker.task.namespace");
    static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("tasker.event.id");
    static final AttributeKey<String> CORRELATION_ID = AttributeKey.stringKey("tasker.correlation_id");
    static final AttributeKey<String> TASK_CORRELATION_ID = AttributeKey.stringKey("tasker.task.correlation_id");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("tasker.step.attempt");
    static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
    static final AttributeKey<Long> ITEMS_PROCESSED = AttributeKey.longKey("tasker.checkpoint.items_processed");

    @Inject
    OpenTelemetry openTelemetry;

    private final AttributeSets names = new AttributeSets();
    private Tracer tracer;

    /** For CDI. */
    public StepSpanInterceptor() {}

    /** Outside a container (tests). */
    public StepSpanInterceptor(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        build();
    }

    @PostConstruct
    void build() {
        tracer = openTelemetry.getTracer(WorkerMetric.SCOPE);
    }

    @Override
    public StepHandlerResult around(StepContext ctx, Callable<StepHandlerResult> next) throws Exception {
        Span span = start(ctx);
        try (Scope ignored = span.makeCurrent()) {
            StepHandlerResult result = next.call();
            outcome(span, result);
            return result;
        } catch (Exception | Error e) {
            thrown(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * The span is current while {@code callAsync} runs (so spans it starts are children) and ends when the stage
     * completes. The handler's own stage is returned, so cancelling it on a timeout still reaches the handler.
     */
    @Override
    public CompletionStage<StepHandlerResult> aroundAsync(
            StepContext ctx, Callable<CompletionStage<StepHandlerResult>> next) throws Exception {
        Span span = start(ctx);
        CompletionStage<StepHandlerResult> stage;
        try (Scope ignored = span.makeCurrent()) {
            stage = next.call();
        } catch (Exception | Error e) {
            thrown(span, e);
            span.end();
            throw e;
        }
        if (stage == null) {
            outcome(span, null);
            span.end();
            return null;
        }
        stage.whenComplete((result, failure) -> {
            if (failure == null) {
                outcome(span, result);
            } else {
                thrown(span, HandlerOutcomes.unwrap(failure));
            }
            span.end();
        });
        return stage;
    }

    private Span start(StepContext ctx) {
        return tracer.spanBuilder("step " + names.boundedHandler(ctx.info().getHandlerName()))
                .setNoParent()
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(TASK_UUID, nonNull(ctx.info().getTaskUuid()))
                .setAttribute(STEP_UUID, nonNull(ctx.info().getStepUuid()))
                .setAttribute(STEP_NAME, nonNull(ctx.info().getStepName()))
                .setAttribute(StepTelemetry.HANDLER, nonNull(ctx.info().getHandlerName()))
                .setAttribute(TASK_NAME, nonNull(ctx.info().getTaskName()))
                .setAttribute(NAMESPACE, nonNull(ctx.info().getNamespace()))
                .setAttribute(EVENT_ID, nonNull(ctx.info().getEventId()))
                .setAttribute(CORRELATION_ID, nonNull(ctx.info().getCorrelationId()))
                .setAttribute(TASK_CORRELATION_ID, nonNull(ctx.info().getTaskCorrelationId()))
                .setAttribute(ATTEMPT, (long) ctx.info().getRetryCount() + 1)
                .startSpan();
    }

    private static void outcome(Span span, StepHandlerResult result) {
        if (result == null) {
            failed(span, "handler_error", true);
        } else if (result.isCheckpointYield()) {
            span.setAttribute(ITEMS_PROCESSED, result.getCheckpoint().itemsProcessed());
        } else if (!result.isSuccess()) {
            failed(span, StepTelemetry.boundedErrorType(result.getErrorType()), result.isRetryable());
        }
    }

    private static void thrown(Span span, Throwable e) {
        if (e instanceof StepFailureException sfe) {
            StepHandlerResult r = sfe.toResult();
            failed(span, StepTelemetry.boundedErrorType(r.getErrorType()), r.isRetryable());
        } else {
            span.setAttribute(EXCEPTION_TYPE, e.getClass().getName());
            failed(span, "handler_error", true);
        }
    }

    private static void failed(Span span, String errorType, boolean retryable) {
        span.setAttribute(StepTelemetry.ERROR_TYPE, errorType);
        span.setAttribute(StepTelemetry.RETRYABLE, retryable);
        span.setStatus(StatusCode.ERROR, errorType);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
