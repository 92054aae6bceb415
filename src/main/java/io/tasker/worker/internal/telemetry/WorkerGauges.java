package io.tasker.worker.internal.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import io.tasker.worker.internal.runtime.WorkerStatus;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker's asynchronous instruments (slots, polls, pending dispatches, paused), read from the running
 * {@link WorkerRuntime} once per export: no cost on the poll or handler path.
 *
 * <p>Registered when the application starts and closed when it stops. The SDK of a runtime-level telemetry
 * configuration outlives the application, so a callback left registered would keep reading a dead worker.
 */
@ApplicationScoped
public class WorkerGauges {

    private static final Logger LOG = Logger.getLogger(WorkerGauges.class.getName());
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(WorkerMetric.Attr.POLL_OUTCOME);
    private static final Attributes HIT = Attributes.of(OUTCOME, "hit");
    private static final Attributes EMPTY = Attributes.of(OUTCOME, "empty");
    private static final Attributes ERROR = Attributes.of(OUTCOME, "error");

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    TaskerWorker worker;

    private final List<AutoCloseable> registered = new ArrayList<>();
    private volatile WorkerRuntime runtime;

    /** Creates this bean, and so registers the callbacks, as soon as the application has started. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        register();
    }

    synchronized void register() {
        if (!registered.isEmpty()) {
            return;
        }
        Meter meter = openTelemetry.getMeter(WorkerMetric.SCOPE);
        registered.add(meter.counterBuilder(WorkerMetric.POLLS.metricName())
                .setUnit(WorkerMetric.POLLS.unit())
                .setDescription(WorkerMetric.POLLS.description())
                .buildWithCallback(m -> {
                    WorkerRuntime rt = runtime();
                    if (rt != null) {
                        WorkerStatus s = rt.status();
                        m.record(s.pollsHit(), HIT);
                        m.record(s.pollsEmpty(), EMPTY);
                        m.record(s.pollsFailed(), ERROR);
                    }
                }));
        gauge(meter, WorkerMetric.SLOTS_USED, WorkerStatus::slotsUsed);
        gauge(meter, WorkerMetric.SLOTS_TOTAL, WorkerStatus::slotsTotal);
        gauge(meter, WorkerMetric.DISPATCH_PENDING, s -> s.dispatch().pendingCount());
        gauge(meter, WorkerMetric.PAUSED, s -> s.paused() ? 1 : 0);
    }

    private void gauge(Meter meter, WorkerMetric m, ToLongFunction<WorkerStatus> value) {
        registered.add(meter.gaugeBuilder(m.metricName())
                .ofLongs()
                .setUnit(m.unit())
                .setDescription(m.description())
                .buildWithCallback(measurement -> read(value, measurement::record)));
    }

    private void read(ToLongFunction<WorkerStatus> value, java.util.function.LongConsumer sink) {
        WorkerRuntime rt = runtime();
        if (rt != null) {
            sink.accept(value.applyAsLong(rt.status()));
        }
    }

    /** The worker's runtime, looked up once it exists; nothing is reported before the worker has started. */
    private WorkerRuntime runtime() {
        WorkerRuntime rt = runtime;
        if (rt == null) {
            try {
                rt = worker.runtime();
                runtime = rt;
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Worker not available for telemetry", e);
            }
        }
        return rt;
    }

    @PreDestroy
    synchronized void close() {
        for (AutoCloseable c : registered) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "Closing an instrument failed", e);
            }
        }
        registered.clear();
        runtime = null;
    }
}
