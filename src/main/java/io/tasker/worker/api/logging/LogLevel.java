package io.tasker.worker.api.logging;

import java.util.logging.Level;

/** The five levels of the TypeScript worker's logging functions, with their {@code java.util.logging} equivalents. */
public enum LogLevel {
    ERROR(Level.SEVERE),
    WARN(Level.WARNING),
    INFO(Level.INFO),
    DEBUG(Level.FINE),
    TRACE(Level.FINER);

    private final Level julLevel;

    LogLevel(Level julLevel) {
        this.julLevel = julLevel;
    }

    /** The {@code java.util.logging} level lines are written at. */
    public Level julLevel() {
        return julLevel;
    }
}
