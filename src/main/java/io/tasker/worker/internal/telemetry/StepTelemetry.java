package io.tasker.worker.internal.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The step metrics, fed by the runtime's lifecycle events (the step span is {@link StepSpanInterceptor}'s).
 *
 * <p>The observers are synchronous: {@code received} runs on the poller thread, the others on the handler's thread
 * (a timeout's {@code failed} on the timeout sweep's). They only touch pre-built instruments and cached attribute
 * sets, and never throw. With the OpenTelemetry SDK disabled (the default) every call is a no-op. Events count
 * what the interceptor cannot see: handlers that were not found, timeouts, refused completions.
 */
@ApplicationScoped
public class StepTelemetry {

    private static final Logger LOG = Logger.getLogger(StepTelemetry.class.getName());

    static final AttributeKey<String> HANDLER = AttributeKey.stringKey(WorkerMetric.Attr.HANDLER);
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey(WorkerMetric.Attr.ERROR_TYPE);
    static final AttributeKey<Boolean> RETRYABLE = AttributeKey.booleanKey(WorkerMetric.Attr.RETRYABLE);
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(WorkerMetric.Attr.OUTCOME);
    static final AttributeKey<Boolean> ACCEPTED = AttributeKey.booleanKey(WorkerMetric.Attr.ACCEPTED);

    /** Bound on the per-event map: an event that never starts or finishes must not grow it for ever. */
    public static final int MAX_TRACKED = 10_000;

    @Inject
    OpenTelemetry openTelemetry;

    private final AttributeSets attrs = new AttributeSets();
    private final ConcurrentMap<String, Instant> receivedAt = new ConcurrentHashMap<>();

    private LongCounter received;
    private LongCounter started;
    private LongCounter completed;
    private LongCounter failed;
    private LongCounter rejected;
    private LongCounter checkpoints;
    private DoubleHistogram duration;
    private DoubleHistogram queueWait;

    /** For CDI. */
    public StepTelemetry() {}

    /** Outside a container (tests): instruments built at once from the given OpenTelemetry. */
    public StepTelemetry(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        build();
    }

    @PostConstruct
    void build() {
        Meter meter = openTelemetry.getMeter(WorkerMetric.SCOPE);
        received = counter(meter, WorkerMetric.STEPS_RECEIVED);
        started = counter(meter, WorkerMetric.STEPS_STARTED);
        completed = counter(meter, WorkerMetric.STEPS_COMPLETED);
        failed = counter(meter, WorkerMetric.STEPS_FAILED);
        rejected = counter(meter, WorkerMetric.COMPLETIONS_REJECTED);
        checkpoints = counter(meter, WorkerMetric.CHECKPOINTS_SENT);
        duration = histogram(meter, WorkerMetric.HANDLER_DURATION);
        queueWait = histogram(meter, WorkerMetric.QUEUE_WAIT);
    }

    static LongCounter counter(Meter meter, WorkerMetric m) {
        return meter.counterBuilder(m.metricName())
                .setUnit(m.unit())
                .setDescription(m.description())
                .build();
    }

    static DoubleHistogram histogram(Meter meter, WorkerMetric m) {
        return meter.histogramBuilder(m.metricName())
                .setUnit(m.unit())
                .setDescription(m.description())
                .setExplicitBucketBoundariesAdvice(WorkerMetric.SECONDS_BUCKETS)
                .build();
    }

    public void onReceived(@Observes StepExecutionReceived e) {
        try {
            received.add(1, attrs.handler(e.handlerName()));
            if (e.eventId() != null && receivedAt.size() < MAX_TRACKED) {
                receivedAt.put(e.eventId(), e.receivedAt() != null ? e.receivedAt() : Instant.now());
            }
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    public void onStarted(@Observes StepExecutionStarted e) {
        try {
            Attributes handler = attrs.handler(e.handlerName());
            started.add(1, handler);
            Instant startedAt = e.startedAt() != null ? e.startedAt() : Instant.now();
            Instant polled = e.eventId() == null ? null : receivedAt.remove(e.eventId());
            if (polled != null) {
                queueWait.record(seconds(Duration.between(polled, startedAt)), handler);
            }
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    public void onCompleted(@Observes StepExecutionCompleted e) {
        try {
            Attributes handler = attrs.handler(e.handlerName());
            completed.add(1, handler);
            duration.record(e.durationMillis() / 1000.0, attrs.outcome(e.handlerName(), true));
            forget(e.eventId());
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    public void onFailed(@Observes StepExecutionFailed e) {
        try {
            String errorType = boundedErrorType(e.result() == null ? null : e.errorType());
            boolean retryable = e.result() != null && e.retryable();
            failed.add(1, attrs.failure(e.handlerName(), errorType, retryable));
            duration.record(e.durationMillis() / 1000.0, attrs.outcome(e.handlerName(), false));
            forget(e.eventId());
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    public void onCompletionSent(@Observes StepCompletionSent e) {
        try {
            if (!e.accepted()) {
                rejected.add(1, attrs.handler(e.handlerName()));
            }
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    public void onCheckpoint(@Observes StepCheckpointYieldSent e) {
        try {
            checkpoints.add(1, attrs.checkpoint(e.handlerName(), e.accepted()));
            forget(e.eventId());
        } catch (RuntimeException ex) {
            swallow(ex);
        }
    }

    /** An event that failed before it started (timeout, shutdown) leaves its receive time behind. */
    private void forget(String eventId) {
        if (eventId != null) {
            receivedAt.remove(eventId);
        }
    }

    /** Receive timestamps currently tracked (tests, diagnostics). */
    public int tracked() {
        return receivedAt.size();
    }

    /** A known error type's wire value, {@code handler_error} for none, else {@link AttributeSets#OTHER}. */
    public static String boundedErrorType(String value) {
        if (value == null || value.isEmpty()) {
            return ErrorType.HANDLER_ERROR.value();
        }
        return ErrorType.fromValue(value).map(ErrorType::value).orElse(AttributeSets.OTHER);
    }

    private static double seconds(Duration d) {
        return d.isNegative() ? 0.0 : d.toNanos() / 1e9;
    }

    private static void swallow(RuntimeException ex) {
        LOG.log(Level.FINE, "Telemetry observer failed", ex);
    }
}
