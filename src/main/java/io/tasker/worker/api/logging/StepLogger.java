package io.tasker.worker.api.logging;

import java.util.Map;

/**
 * A logger with default fields (the TypeScript worker's {@code createLogger(defaultFields)} result). Every line carries the
 * default fields, the fields of the call, and — while a handler runs — the step's {@code task_uuid},
 * {@code step_uuid}, {@code handler_name} and {@code correlation_id}. Field values may be of any type; they are
 * written as strings ({@code null}s dropped).
 */
public interface StepLogger {

    void log(LogLevel level, String message, Map<String, ?> fields);

    default void error(String message, Map<String, ?> fields) {
        log(LogLevel.ERROR, message, fields);
    }

    default void warn(String message, Map<String, ?> fields) {
        log(LogLevel.WARN, message, fields);
    }

    default void info(String message, Map<String, ?> fields) {
        log(LogLevel.INFO, message, fields);
    }

    default void debug(String message, Map<String, ?> fields) {
        log(LogLevel.DEBUG, message, fields);
    }

    default void trace(String message, Map<String, ?> fields) {
        log(LogLevel.TRACE, message, fields);
    }

    default void error(String message) {
        log(LogLevel.ERROR, message, null);
    }

    default void warn(String message) {
        log(LogLevel.WARN, message, null);
    }

    default void info(String message) {
        log(LogLevel.INFO, message, null);
    }

    default void debug(String message) {
        log(LogLevel.DEBUG, message, null);
    }

    default void trace(String message) {
        log(LogLevel.TRACE, message, null);
    }

    /** A child logger with more default fields. */
    StepLogger with(Map<String, ?> moreFields);
}
