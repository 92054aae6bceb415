package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.internal.runtime.LifecycleListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/** Fires the runtime's lifecycle events as CDI events, so any bean can {@code @Observes StepExecutionCompleted}. */
@ApplicationScoped
public class CdiLifecycleListener implements LifecycleListener {

    @Inject
    Event<StepLifecycleEvent> events;

    @Inject
    StepHandlerExtension extension;

    @Override
    public void onEvent(StepLifecycleEvent event) {
        Class<?> type = event.getClass();
        if (extension.isObservedSync(type)) {
            events.fire(event);
        }
        if (extension.isObservedAsync(type)) {
            events.fireAsync(event);
        }
    }

    @Override
    public boolean wants(Class<? extends StepLifecycleEvent> type) {
        return extension.isObserved(type);
    }
}
