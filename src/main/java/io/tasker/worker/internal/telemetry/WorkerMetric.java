package io.tasker.worker.internal.telemetry;

import java.util.List;

/**
 * The worker's metrics catalogue: every instrument the worker registers, with its unit and attribute keys.
 *
 * <p>This is the single source of the names. The instruments are built from it, {@code docs/operations.md} carries
 * the same table (a unit test compares them), and an integration test compares it with what Liberty really exports.
 * Attributes are bounded: handler names (capped), error types (the known set, else {@code _OTHER}) and booleans.
 * Never task or step UUIDs: those go on the step span.
 */
public enum WorkerMetric {
    POLLS(
            "tasker.worker.polls",
            Instrument.ASYNC_COUNTER,
            "{poll}",
            "Requests to the engine for a step event (each first takes a free execution slot), by outcome.",
            Attr.POLL_OUTCOME),
    STEPS_RECEIVED(
            "tasker.worker.steps.received",
            Instrument.COUNTER,
            "{step}",
            "Step events taken from the engine.",
            Attr.HANDLER),
    STEPS_STARTED(
            "tasker.worker.steps.started",
            Instrument.COUNTER,
            "{step}",
            "Step events whose handler started running.",
            Attr.HANDLER),
    STEPS_COMPLETED(
            "tasker.worker.steps.completed",
            Instrument.COUNTER,
            "{step}",
            "Handlers that returned a success.",
            Attr.HANDLER),
    STEPS_FAILED(
            "tasker.worker.steps.failed",
            Instrument.COUNTER,
            "{step}",
            "Handlers that failed, threw, timed out or were not found.",
            Attr.HANDLER,
            Attr.ERROR_TYPE,
            Attr.RETRYABLE),
    COMPLETIONS_REJECTED(
            "tasker.worker.completions.rejected",
            Instrument.COUNTER,
            "{completion}",
            "Step results the engine refused (for example after its completion timeout).",
            Attr.HANDLER),
    CHECKPOINTS_SENT(
            "tasker.worker.checkpoints.sent",
            Instrument.COUNTER,
            "{checkpoint}",
            "Checkpoint yields handed to the engine.",
            Attr.HANDLER,
            Attr.ACCEPTED),
    HANDLER_DURATION(
            "tasker.worker.handler.duration",
            Instrument.HISTOGRAM,
            "s",
            "Handler run time, from its start to its result (success or failure).",
            Attr.HANDLER,
            Attr.OUTCOME),
    QUEUE_WAIT(
            "tasker.worker.queue.wait",
            Instrument.HISTOGRAM,
            "s",
            "Time from taking a step event from the engine to its handler starting.",
            Attr.HANDLER),
    SLOTS_USED(
            "tasker.worker.slots.used",
            Instrument.GAUGE,
            "{slot}",
            "Execution slots in use (events polled and not yet completed)."),
    SLOTS_TOTAL(
            "tasker.worker.slots.total",
            Instrument.GAUGE,
            "{slot}",
            "Execution slots configured (the worker's maximum concurrency)."),
    DISPATCH_PENDING(
            "tasker.worker.dispatch.pending",
            Instrument.GAUGE,
            "{event}",
            "Events the engine has dispatched and not yet seen completed, from its dispatch metrics."),
    PAUSED("tasker.worker.paused", Instrument.GAUGE, "1", "1 while polling is paused through the API, else 0.");

    /** The instrumentation scope of every worker instrument and the step span. */
    public static final String SCOPE = "io.tasker.worker";

    /** Histogram bucket boundaries, in seconds (handler durations and queue waits). */
    public static final List<Double> SECONDS_BUCKETS =
            List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);

    /** How an instrument is built; {@link #exportedType} is the OpenTelemetry metric data type it exports as. */
    public enum Instrument {
        COUNTER("counter", "LONG_SUM"),
        ASYNC_COUNTER("asynchronous counter", "LONG_SUM"),
        HISTOGRAM("histogram", "HISTOGRAM"),
        GAUGE("asynchronous gauge", "LONG_GAUGE");

        private final String label;
        private final String exportedType;

        Instrument(String label, String exportedType) {
            this.label = label;
            this.exportedType = exportedType;
        }

        public String label() {
            return label;
        }

        public String exportedType() {
            return exportedType;
        }
    }

    /** Metric attribute keys. Values are bounded (see the class comment). */
    public static final class Attr {
        /** The handler callable; at most {@code 256} distinct values, then {@code _OTHER}. */
        public static final String HANDLER = "tasker.handler.name";
        /** The result's error type: one of the known wire values, else {@code _OTHER}. */
        public static final String ERROR_TYPE = "error.type";
        /** Whether the failure may be retried. */
        public static final String RETRYABLE = "tasker.step.retryable";
        /** {@code success} or {@code failure}. */
        public static final String OUTCOME = "tasker.step.outcome";
        /** {@code hit} (an event came back), {@code empty} or {@code error} (the engine call threw). */
        public static final String POLL_OUTCOME = "tasker.poll.outcome";
        /** Whether the engine accepted the checkpoint. */
        public static final String ACCEPTED = "tasker.checkpoint.accepted";

        private Attr() {}
    }

    private final String metricName;
    private final Instrument instrument;
    private final String unit;
    private final String description;
    private final List<String> attributes;

    WorkerMetric(String metricName, Instrument instrument, String unit, String description, String... attributes) {
        this.metricName = metricName;
        this.instrument = instrument;
        this.unit = unit;
        this.description = description;
        this.attributes = List.of(attributes);
    }

    public String metricName() {
        return metricName;
    }

    public Instrument instrument() {
        return instrument;
    }

    public String unit() {
        return unit;
    }

    public String description() {
        return description;
    }

    public List<String> attributes() {
        return attributes;
    }

    /** The catalogue row as it appears in {@code docs/operations.md}. */
    public String markdownRow() {
        return "| `" + metricName + "` | " + instrument.label() + " | `" + unit + "` | "
                + (attributes.isEmpty() ? "–" : "`" + String.join("`, `", attributes) + "`") + " | " + description
                + " |";
    }
}
