package io.tasker.worker.api.logging;

import io.tasker.worker.internal.logging.LogFields;
import io.tasker.worker.internal.logging.LogWriter;
import java.util.Map;

/**
 * The TypeScript worker's logging functions: {@code logInfo(message, fields)} and friends, plus {@link #createLogger}.
 *
 * <pre>{@code
 * TaskerLog.logInfo("charging card", Map.of("order_id", orderId, "amount", 12.5));
 * StepLogger log = TaskerLog.createLogger(Map.of("component", "payments"));
 * log.warn("gateway slow", Map.of("latency_ms", 950));
 * }</pre>
 *
 * <p>Lines go to {@code java.util.logging} (logger {@value #LOGGER_NAME}, or the name given to
 * {@link #createLogger(String, Map)}) and to every {@link LogSink} added (in the server, the engine's log).
 * While a handler runs, every line — these and any other {@code java.util.logging} line on that thread — carries
 * {@code task_uuid}, {@code step_uuid}, {@code handler_name} and {@code correlation_id}; with Liberty's JSON
 * logging they appear as the fields {@code ext_task_uuid}, {@code ext_step_uuid}, … and so do the fields of the
 * call. Elsewhere the fields are appended to the message as JSON. Values are written as strings; {@code null}s
 * are dropped.
 */
public final class TaskerLog {

    /** The default logger name. */
    public static final String LOGGER_NAME = "io.tasker.worker.handler";

    private TaskerLog() {}

    public static void logError(String message, Map<String, ?> fields) {
        LogWriter.write(LOGGER_NAME, LogLevel.ERROR, message, null, fields);
    }

    public static void logWarn(String message, Map<String, ?> fields) {
        LogWriter.write(LOGGER_NAME, LogLevel.WARN, message, null, fields);
    }

    public static void logInfo(String message, Map<String, ?> fields) {
        LogWriter.write(LOGGER_NAME, LogLevel.INFO, message, null, fields);
    }

    public static void logDebug(String message, Map<String, ?> fields) {
        LogWriter.write(LOGGER_NAME, LogLevel.DEBUG, message, null, fields);
    }

    public static void logTrace(String message, Map<String, ?> fields) {
        LogWriter.write(LOGGER_NAME, LogLevel.TRACE, message, null, fields);
    }

    public static void logError(String message) {
        logError(message, null);
    }

    public static void logWarn(String message) {
        logWarn(message, null);
    }

    public static void logInfo(String message) {
        logInfo(message, null);
    }

    public static void logDebug(String message) {
        logDebug(message, null);
    }

    public static void logTrace(String message) {
        logTrace(message, null);
    }

    /** The TypeScript worker's {@code createLogger(defaultFields)}. */
    public static StepLogger createLogger(Map<String, ?> defaultFields) {
        return createLogger(LOGGER_NAME, defaultFields);
    }

    /** A logger writing to the {@code java.util.logging} logger {@code loggerName}. */
    public static StepLogger createLogger(String loggerName, Map<String, ?> defaultFields) {
        return new LogWriter.Child(loggerName, LogFields.stringify(defaultFields));
    }

    /** Adds a destination (the runtime adds the engine's log). */
    public static void addSink(LogSink sink) {
        LogWriter.addSink(sink);
    }

    /** Removes a destination added before. */
    public static void removeSink(LogSink sink) {
        LogWriter.removeSink(sink);
    }

    /** The string-only field rule applied to every line: each value as a string, {@code null}s dropped. */
    public static Map<String, String> toStringFields(Map<String, ?> fields) {
        return LogFields.stringify(fields);
    }
}
