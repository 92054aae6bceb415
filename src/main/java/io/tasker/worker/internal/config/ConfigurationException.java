package io.tasker.worker.internal.config;

import io.tasker.worker.api.WorkerStartupException;

/** A setting is missing, malformed or out of range. The message names the key (and the file, for TOML). */
public class ConfigurationException extends WorkerStartupException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
