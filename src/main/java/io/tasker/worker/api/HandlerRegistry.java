package io.tasker.worker.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The handlers this worker can run. Beans qualified with {@link StepHandler} are registered at startup; more can be
 * added here at any time (inject it with {@code @Inject HandlerRegistry}).
 */
public interface HandlerRegistry {

    /** Registers one shared instance. Fails if the name is taken. */
    void register(String name, ExecutableHandler handler);

    /** Registers a factory called for every execution (a fresh instance per step). Fails if the name is taken. */
    void register(String name, String version, Supplier<? extends ExecutableHandler> factory);

    /** Bulk registration; all or nothing. */
    void registerAll(Map<String, ? extends ExecutableHandler> handlers);

    /** Removes a programmatic registration; returns whether one was removed. */
    boolean unregister(String name);

    boolean isRegistered(String name);

    /** The handler for a callable. */
    Optional<ExecutableHandler> resolve(String name);

    /** The handler for a full definition, honouring {@code method} dispatch. */
    Optional<ExecutableHandler> resolve(HandlerDefinition definition);

    List<HandlerInfo> listHandlers();

    int handlerCount();
}
