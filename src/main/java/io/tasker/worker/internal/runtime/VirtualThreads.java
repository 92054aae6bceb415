package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.WorkerStartupException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Handler executors on virtual threads ({@code tasker.handlers.virtual-threads}). The build targets Java 17, so
 * the Java 21 API is reached by reflection; on an older JVM the setting is a startup error.
 */
public final class VirtualThreads {

    private VirtualThreads() {}

    /** Whether this JVM has virtual threads. */
    public static boolean available() {
        return Runtime.version().feature() >= 21;
    }

    /**
     * One new thread of {@code factory} per handler run. In the container the factory is a
     * {@code ManagedThreadFactory} configured to create virtual threads, so the threads stay the container's.
     *
     * @throws WorkerStartupException when the JVM or the factory has no virtual threads
     */
    public static ExecutorService perTask(ThreadFactory factory, String factoryName) {
        requireJava21();
        Thread probe = factory.newThread(() -> {});
        if (probe == null || !isVirtual(probe)) {
            throw new WorkerStartupException("tasker.handlers.virtual-threads=true, but " + factoryName
                    + " creates platform threads; configure it with virtual=\"true\"");
        }
        return (ExecutorService) invoke("newThreadPerTaskExecutor", new Class<?>[] {ThreadFactory.class}, factory);
    }

    /** The JVM's own virtual-thread-per-task executor (the test kit, outside any container). */
    public static ExecutorService ofJvm() {
        requireJava21();
        return (ExecutorService) invoke("newVirtualThreadPerTaskExecutor", new Class<?>[0]);
    }

    /** Whether {@code t} is a virtual thread (false before Java 21). */
    public static boolean isVirtual(Thread t) {
        if (!available()) {
            return false;
        }
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static void requireJava21() {
        if (!available()) {
            throw new WorkerStartupException(
                    "tasker.handlers.virtual-threads=true needs Java 21 or later; this JVM is " + Runtime.version());
        }
    }

    private static Object invoke(String method, Class<?>[] types, Object... args) {
        try {
            return Executors.class.getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            throw new WorkerStartupException("Cannot create the virtual-thread executor: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new WorkerStartupException("Cannot create the virtual-thread executor: " + e);
        }
    }
}
