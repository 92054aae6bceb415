package io.tasker.worker.internal.runtime;

/** Lifecycle of a {@link WorkerRuntime}. */
public enum WorkerState {
    CREATED,
    BOOTSTRAPPED,
    RUNNING,
    DRAINING,
    STOPPED,
    FAILED;

    public String wireName() {
        return name().toLowerCase();
    }
}
