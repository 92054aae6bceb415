package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** Base for runtime tests against a scripted engine ({@link FakeEngine}): one runtime per test, stopped after it. */
abstract class ScriptedRuntimeTest {

    final FakeEngine engine = new FakeEngine();
    final DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    ExecutorService handlers = Executors.newCachedThreadPool();
    WorkerRuntime runtime;

    WorkerRuntime start(Map<String, String> settings, StepInterceptor... chain) {
        runtime = new WorkerRuntime(
                new TaskerFfi(engine, "fake", "test"),
                WorkerSettings.of(settings),
                registry,
                handlers,
                scheduler,
                null,
                registry::versionOf);
        runtime.useInterceptors(List.of(chain));
        runtime.bootstrap(List.of());
        runtime.start();
        return runtime;
    }

    @AfterEach
    void stopRuntime() {
        if (runtime != null) {
            runtime.stop();
        }
        handlers.shutdownNow();
        scheduler.shutdownNow();
    }

    /** Waits up to 30 s (a generous bound for a loaded machine; the conditions normally hold within milliseconds). */
    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met in 30 s");
            }
            Thread.sleep(5);
        }
    }
}
