package io.tasker.worker.internal.registry;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.runtime.HandlerOutcomes;
import java.util.Objects;

/**
 * An event-form handler seen as an {@link ExecutableHandler}: each call wraps the context in a {@link StepExecution},
 * delivers it to the observer, and returns the outcome the observer reported. Registering the event form this way
 * keeps one dispatch path, so slots, caps, timeouts, interceptors and the single completion apply to both forms.
 */
public final class ObserverHandler implements ExecutableHandler {

    /** Delivers one execution to the observer; what the observer throws passes through unwrapped. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(StepExecution step) throws Exception;
    }

    private final String name;
    private final String version;
    private final String observer;
    private final Delivery delivery;

    /**
     * @param name     the handler name ({@code @StepHandler} value)
     * @param version  its {@code @StepHandler} version
     * @param observer the observer method, {@code Class.method}, for messages and the handler list
     * @param delivery how an execution reaches the observer (a CDI event, or a reflective call in the test kit)
     */
    public ObserverHandler(String name, String version, String observer, Delivery delivery) {
        this.name = Objects.requireNonNull(name);
        this.version = version == null ? "1.0.0" : version;
        this.observer = Objects.requireNonNull(observer);
        this.delivery = Objects.requireNonNull(delivery);
    }

    @Override
    public StepHandlerResult call(StepContext context) throws Exception {
        StepExecution step = new StepExecution(context);
        try {
            delivery.deliver(step);
        } catch (Throwable t) {
            step.outcome(); // closes it: a report after the observer threw would have nowhere to go
            throw t;
        }
        return step.outcome().orElseGet(() -> HandlerOutcomes.noOutcome(name, observer));
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The observer method, {@code Class.method}. */
    public String observer() {
        return observer;
    }

    /** The class declaring the observer method. */
    public String observerClass() {
        int dot = observer.lastIndexOf('.');
        return dot < 0 ? observer : observer.substring(0, dot);
    }

    @Override
    public String toString() {
        return "ObserverHandler[" + name + " -> " + observer + "]";
    }
}
