package io.tasker.worker.internal.telemetry;

import io.opentelemetry.api.common.Attributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Pre-built, cached attribute sets, so recording a measurement allocates nothing once a handler has been seen.
 * Handler names are capped at {@link #MAX_HANDLERS} distinct values; later ones are recorded as {@code _OTHER}.
 */
public final class AttributeSets {

    /** The value that stands for every value beyond a bound. */
    public static final String OTHER = "_OTHER";
    /** Distinct handler names recorded before the rest become {@link #OTHER}. */
    public static final int MAX_HANDLERS = 256;

    private final ConcurrentMap<String, Attributes> handler = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Attributes> outcome = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Attributes> failure = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Attributes> checkpoint = new ConcurrentHashMap<>();

    public String boundedHandler(String name) {
        if (name == null || name.isEmpty()) {
            return OTHER;
        }
        if (handler.containsKey(name) || handler.size() < MAX_HANDLERS) {
            return name;
        }
        return OTHER;
    }

    public Attributes handler(String name) {
        String h = boundedHandler(name);
        return handler.computeIfAbsent(h, k -> Attributes.of(StepTelemetry.HANDLER, k));
    }

    public Attributes outcome(String name, boolean success) {
        String h = boundedHandler(name);
        return outcome.computeIfAbsent(
                h + (success ? "\u0000s" : "\u0000f"),
                k -> Attributes.of(StepTelemetry.HANDLER, h, StepTelemetry.OUTCOME, success ? "success" : "failure"));
    }

    public Attributes failure(String name, String errorType, boolean retryable) {
        String h = boundedHandler(name);
        return failure.computeIfAbsent(
                h + '\u0000' + errorType + '\u0000' + retryable,
                k -> Attributes.of(
                        StepTelemetry.HANDLER,
                        h,
                        StepTelemetry.ERROR_TYPE,
                        errorType,
                        StepTelemetry.RETRYABLE,
                        retryable));
    }

    public Attributes checkpoint(String name, boolean accepted) {
        String h = boundedHandler(name);
        return checkpoint.computeIfAbsent(
                h + '\u0000' + accepted,
                k -> Attributes.of(StepTelemetry.HANDLER, h, StepTelemetry.ACCEPTED, accepted));
    }
}
