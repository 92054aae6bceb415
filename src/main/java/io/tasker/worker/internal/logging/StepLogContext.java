package io.tasker.worker.internal.logging;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The step a thread is running a handler for, so every log line written meanwhile can carry its identifiers.
 * The dispatcher opens it around each handler call; log helpers and formatters read {@link #current()}.
 *
 * <p>On Liberty, opening also attaches the identifiers to the thread's log records through
 * {@link LibertyLogContext} ({@code ext_task_uuid}, {@code ext_step_uuid}, {@code ext_handler_name},
 * {@code ext_correlation_id} in JSON logs), so even lines from the handler's own {@code java.util.logging} loggers
 * carry them; closing restores what the thread had before (contexts nest).
 */
public final class StepLogContext implements AutoCloseable {

    /** Field names, as they appear in log fields and (prefixed {@code ext_}) in Liberty JSON logs. */
    public static final String TASK_UUID = "task_uuid";

    public static final String STEP_UUID = "step_uuid";
    public static final String HANDLER_NAME = "handler_name";
    public static final String CORRELATION_ID = "correlation_id";

    private static final ThreadLocal<StepLogContext> CURRENT = new ThreadLocal<>();

    private final String taskUuid;
    private final String stepUuid;
    private final String handlerName;
    private final String correlationId;
    private final StepLogContext previous;
    private final Map<String, String> fields;

    private StepLogContext(
            String taskUuid, String stepUuid, String handlerName, String correlationId, StepLogContext previous) {
        this.taskUuid = taskUuid;
        this.stepUuid = stepUuid;
        this.handlerName = handlerName;
        this.correlationId = correlationId;
        this.previous = previous;
        Map<String, String> f = new LinkedHashMap<>();
        put(f, TASK_UUID, taskUuid);
        put(f, STEP_UUID, stepUuid);
        put(f, HANDLER_NAME, handlerName);
        put(f, CORRELATION_ID, correlationId);
        this.fields = java.util.Collections.unmodifiableMap(f);
    }

    /** Marks the current thread as running this step until {@link #close()}. */
    public static StepLogContext open(String taskUuid, String stepUuid, String handlerName, String correlationId) {
        StepLogContext ctx = new StepLogContext(taskUuid, stepUuid, handlerName, correlationId, CURRENT.get());
        CURRENT.set(ctx);
        ctx.attach();
        return ctx;
    }

    /** The step the current thread is running, or {@code null}. */
    public static StepLogContext current() {
        return CURRENT.get();
    }

    /** The current step's identifiers as log fields ({@code {}} outside a handler). */
    public static Map<String, String> currentFields() {
        StepLogContext ctx = CURRENT.get();
        return ctx == null ? Map.of() : ctx.fields;
    }

    public String taskUuid() {
        return taskUuid;
    }

    public String stepUuid() {
        return stepUuid;
    }

    public String handlerName() {
        return handlerName;
    }

    public String correlationId() {
        return correlationId;
    }

    /** {@code {task_uuid, step_uuid, handler_name, correlation_id}}, nulls left out. */
    public Map<String, String> fields() {
        return fields;
    }

    @Override
    public void close() {
        detach();
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
            previous.attach();
        }
    }

    private void attach() {
        if (LibertyLogContext.available()) {
            fields.forEach(LibertyLogContext::add);
        }
    }

    private void detach() {
        if (LibertyLogContext.available()) {
            fields.keySet().forEach(LibertyLogContext::remove);
        }
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
