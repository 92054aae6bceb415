package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.events.StepLifecycleEvent;

/**
 * Receives the step lifecycle events. The container implementation fires them as CDI events; tests record them.
 * {@link #wants} lets the runtime skip building events nobody observes, keeping the hot path allocation-free.
 */
public interface LifecycleListener {

    LifecycleListener NONE = new LifecycleListener() {
        @Override
        public void onEvent(StepLifecycleEvent event) {}

        @Override
        public boolean wants(Class<? extends StepLifecycleEvent> type) {
            return false;
        }
    };

    /** Called on the poller thread (received) or the handler's thread (all others). Must not throw. */
    void onEvent(StepLifecycleEvent event);

    /** Whether events of this type are observed at all. Asked once, at runtime construction. */
    default boolean wants(Class<? extends StepLifecycleEvent> type) {
        return true;
    }
}
