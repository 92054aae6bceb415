package io.tasker.worker.internal.logging;

import io.tasker.worker.api.logging.LogLevel;
import io.tasker.worker.api.logging.LogSink;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.util.Map;

/**
 * Sends {@link io.tasker.worker.api.logging.TaskerLog} lines to the engine's {@code log_*} functions, so handler
 * lines sit next to the engine's own. Fields are already strings (the engine drops a map with any other value);
 * an empty map is sent as {@code null}.
 */
public final class EngineLogSink implements LogSink {

    private final TaskerFfi ffi;

    public EngineLogSink(TaskerFfi ffi) {
        this.ffi = ffi;
    }

    @Override
    public void write(LogLevel level, String message, Map<String, String> fields) {
        String json = fields == null || fields.isEmpty() ? null : Json.write(fields);
        switch (level) {
            case ERROR -> ffi.logError(message, json);
            case WARN -> ffi.logWarn(message, json);
            case INFO -> ffi.logInfo(message, json);
            case DEBUG -> ffi.logDebug(message, json);
            case TRACE -> ffi.logTrace(message, json);
        }
    }
}
