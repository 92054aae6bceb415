package io.tasker.worker.internal.logging;

import io.tasker.worker.api.logging.LogLevel;
import io.tasker.worker.api.logging.LogSink;
import io.tasker.worker.api.logging.StepLogger;
import io.tasker.worker.internal.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Writes one {@link io.tasker.worker.api.logging.TaskerLog} line: merges the step's identifiers
 * ({@link StepLogContext#current()}), the logger's default fields and the call's fields, applies the string-only
 * rule, then writes to {@code java.util.logging} and to every {@link LogSink}.
 *
 * <p>On Liberty with JSON logging the call's fields are attached as {@code LogRecordContext} extensions for the
 * duration of the call (the step identifiers are already attached by {@link StepLogContext}), so they become
 * {@code ext_*} fields; otherwise they are appended to the message as JSON. Outside Liberty the map is also the
 * record's single parameter, for handlers that read structured data.
 */
public final class LogWriter {

    private static final List<LogSink> SINKS = new CopyOnWriteArrayList<>();

    private LogWriter() {}

    public static void addSink(LogSink sink) {
        if (sink != null && !SINKS.contains(sink)) {
            SINKS.add(sink);
        }
    }

    public static void removeSink(LogSink sink) {
        SINKS.remove(sink);
    }

    /** The fields a line carries: step identifiers, then defaults, then the call's own (later wins). */
    public static Map<String, String> fields(Map<String, String> defaults, Map<String, ?> callFields) {
        Map<String, String> all = new LinkedHashMap<>(StepLogContext.currentFields());
        if (defaults != null) {
            all.putAll(defaults);
        }
        all.putAll(LogFields.stringify(callFields));
        return all;
    }

    public static void write(
            String loggerName,
            LogLevel level,
            String message,
            Map<String, String> defaults,
            Map<String, ?> callFields) {
        Logger logger = Logger.getLogger(loggerName);
        boolean julOn = logger.isLoggable(level.julLevel());
        if (!julOn && SINKS.isEmpty()) {
            return;
        }
        String text = message == null ? "" : message;
        Map<String, String> fields = fields(defaults, callFields);
        if (julOn) {
            writeJul(logger, level, text, fields);
        }
        for (LogSink sink : SINKS) {
            try {
                sink.write(level, text, fields);
            } catch (RuntimeException e) {
                // a broken sink must not break the handler that logs
            }
        }
    }

    private static void writeJul(Logger logger, LogLevel level, String text, Map<String, String> fields) {
        Map<String, String> contextFields = StepLogContext.currentFields();
        boolean asExtensions = LibertyLogContext.jsonLogging();
        LogRecord record;
        if (asExtensions) {
            record = new LogRecord(level.julLevel(), text);
        } else {
            // Plain-text logs cannot show extensions: keep every field visible in the line itself.
            record = new LogRecord(level.julLevel(), fields.isEmpty() ? text : text + " " + Json.write(fields));
        }
        record.setLoggerName(logger.getName());
        if (!LibertyLogContext.available()) {
            // For handlers that read structured data. Not on Liberty: its formatters append parameters to the text.
            record.setParameters(new Object[] {fields});
        }
        if (!asExtensions) {
            logger.log(record);
            return;
        }
        // Attach the call's own fields for this one record, without clobbering the step's identifiers.
        List<String> added = new java.util.ArrayList<>();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!contextFields.containsKey(e.getKey())) {
                LibertyLogContext.add(e.getKey(), e.getValue());
                added.add(e.getKey());
            }
        }
        try {
            logger.log(record);
        } finally {
            added.forEach(LibertyLogContext::remove);
        }
    }

    /** A {@link StepLogger} with default fields. */
    public static final class Child implements StepLogger {
        private final String loggerName;
        private final Map<String, String> defaults;

        public Child(String loggerName, Map<String, String> defaults) {
            this.loggerName = loggerName;
            this.defaults = defaults == null ? Map.of() : defaults;
        }

        @Override
        public void log(LogLevel level, String message, Map<String, ?> fields) {
            write(loggerName, level, message, defaults, fields);
        }

        @Override
        public StepLogger with(Map<String, ?> moreFields) {
            Map<String, String> merged = new LinkedHashMap<>(defaults);
            merged.putAll(LogFields.stringify(moreFields));
            return new Child(loggerName, java.util.Collections.unmodifiableMap(merged));
        }

        /** The default fields (tests). */
        public Map<String, String> defaults() {
            return defaults;
        }
    }
}
