package io.tasker.worker.api.logging;

import java.util.Map;

/**
 * Somewhere {@link TaskerLog} lines go besides {@code java.util.logging} — in the server, the engine's own log
 * ({@code log_info} and friends), so worker and engine lines share one stream. Add one with
 * {@link TaskerLog#addSink}.
 *
 * <p>Fields arrive already converted to strings, nulls dropped (the engine silently drops a whole field map that
 * holds anything but strings). Implementations must be thread-safe and must not throw.
 */
@FunctionalInterface
public interface LogSink {

    void write(LogLevel level, String message, Map<String, String> fields);
}
