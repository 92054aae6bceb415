package io.tasker.worker.internal.registry;

import io.tasker.worker.api.ExecutableHandler;
import java.util.function.Supplier;

/**
 * One registered handler.
 *
 * @param name   the callable
 * @param version the handler version
 * @param type   the implementation class, or {@code null} when only known per instance (factories)
 * @param source {@code cdi} or {@code programmatic}
 * @param shared the instance used for every call, or {@code null} when each call leases one
 * @param lease  gives an instance for one call and how to release it afterwards
 */
public record Registration(
        String name, String version, Class<?> type, String source, ExecutableHandler shared, Supplier<Lease> lease) {

    /** An instance for one call, and what to do when the call is over (destroy a dependent bean, say). */
    public record Lease(ExecutableHandler handler, Runnable release) {
        public static Lease of(ExecutableHandler handler) {
            return new Lease(handler, () -> {});
        }
    }

    public static Registration shared(String name, String version, String source, ExecutableHandler instance) {
        return new Registration(name, version, instance.getClass(), source, instance, () -> Lease.of(instance));
    }
}
