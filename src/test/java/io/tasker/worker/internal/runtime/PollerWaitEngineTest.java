package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against the real engine: with the ABI extensions it waits in the engine and starts a step as soon as
 * it is ready, without waking in between; with {@code tasker.library.extensions=false} the worker runs on the 29
 * contract functions alone. Both keep the string ownership rule (every returned string freed once).
 */
class PollerWaitEngineTest {

    private static final String CHAIN = """
            name: wait_chain
            namespace_name: wait
            version: 1.0.0
            steps:
              - name: a
                handler: { callable: wait.step }
              - name: b
                handler: { callable: wait.step }
                dependencies: [a]
              - name: c
                handler: { callable: wait.step }
                dependencies: [a]
            """;
    private static final String SLOW = """
            name: wait_slow
            namespace_name: wait
            version: 1.0.0
            steps:
              - name: only
                handler: { callable: wait.slow }
            """;
    private static final String SINGLE = """
            name: wait_single
            namespace_name: wait
            version: 1.0.0
            steps:
              - name: only
                handler: { callable: wait.step }
            """;

    private final AtomicLong lastStart = new AtomicLong();
    private final AtomicLong handOffs = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Set<String> handlerThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private TaskerFfi ffi;
    private WorkerRuntime runtime;
    private ExecutorService handlers;
    private ScheduledExecutorService scheduler;

    private EngineHarness start(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(
                Map.of("tasker.worker.max-concurrency", "3", "tasker.engine.data-dir", WorkerSettings.IN_MEMORY));
        settings.putAll(overrides);
        WorkerSettings ws = WorkerSettings.of(settings);
        ffi = LibraryLocator.standard(null).load(ws.libraryExtensions());
        DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
        registry.register("wait.slow", ctx -> {
            running.incrementAndGet();
            try {
                Thread.sleep(1500);
            } finally {
                running.decrementAndGet();
            }
            return StepHandlerResult.success(Map.of("ok", true));
        });
        registry.register("wait.step", ctx -> {
            lastStart.set(System.nanoTime());
            handlerThreads.add(Thread.currentThread().getName());
            return StepHandlerResult.success(Map.of("ok", true));
        });
        ExecutorService pool = Executors.newCachedThreadPool();
        // Counts every hand-off to the handler executor (a step or a leader task sent to another thread).
        handlers = new java.util.concurrent.AbstractExecutorService() {
            @Override
            public void execute(Runnable command) {
                handOffs.incrementAndGet();
                pool.execute(command);
            }

            @Override
            public void shutdown() {
                pool.shutdown();
            }

            @Override
            public List<Runnable> shutdownNow() {
                return pool.shutdownNow();
            }

            @Override
            public boolean isShutdown() {
                return pool.isShutdown();
            }

            @Override
            public boolean isTerminated() {
                return pool.isTerminated();
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                return pool.awaitTermination(timeout, unit);
            }
        };
        scheduler = Executors.newSingleThreadScheduledExecutor();
        runtime = new WorkerRuntime(ffi, ws, registry, handlers, scheduler, null, name -> null);
        runtime.bootstrap(List.of(
                new TemplateSource("wait_chain.yaml", CHAIN),
                new TemplateSource("wait_single.yaml", SINGLE),
                new TemplateSource("wait_slow.yaml", SLOW)));
        runtime.start();
        return new EngineHarness(ffi);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (runtime != null) {
            runtime.stop();
        }
        if (handlers != null) {
            handlers.shutdownNow();
            scheduler.shutdownNow();
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (ffi != null) {
            assertEquals(ffi.stringsReceived(), ffi.stringsFreed(), "every string the engine returned was freed");
        }
    }

    @Test
    void aReadyStepStartsAtOnceAndAnIdlePollerBarelyWakes() throws Exception {
        // A minute between polls: only the engine's wake-up can start the steps in time.
        EngineHarness engine = start(Map.of("tasker.worker.poll-interval-ms", "60000"));
        assertTrue(ffi.hasExtensions());
        assertTrue(runtime.waitsForEvents());
        Thread.sleep(300);

        long waitsBefore = ffi.waitCalls();
        long pollsBefore = runtime.status().polls();
        Thread.sleep(2000);
        // Each wait ends by itself after at most 1 s (it is bounded so the poller can re-check deadlines).
        assertTrue(ffi.waitCalls() - waitsBefore <= 4, "idle waits: " + (ffi.waitCalls() - waitsBefore));
        assertTrue(
                runtime.status().polls() - pollsBefore <= 4,
                "idle polls: " + (runtime.status().polls() - pollsBefore));

        for (int i = 0; i < 5; i++) {
            lastStart.set(0);
            long created = System.nanoTime();
            String task = engine.createTask("wait", "wait_chain", Map.of("i", i));
            assertEquals(
                    "complete",
                    engine.awaitTerminal(task, 10_000).path("status").asText());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(lastStart.get() - created);
            assertTrue(
                    tookMs < 700, "the whole chain ran " + tookMs + " ms after the create, not a poll interval later");
            Thread.sleep(100);
        }
        assertTrue(
                runtime.status().polls() < 100,
                "no busy polling: " + runtime.status().polls());
    }

    @Test
    void slowStepsCreatedOneAfterTheOtherRunAtOnce() throws Exception {
        // A fresh worker takes its handlers for quick (one thread requested at a time): slow steps created one
        // after the other must still all start at once.
        EngineHarness engine = start(Map.of("tasker.worker.poll-interval-ms", "10"));
        for (int i = 0; i < 3; i++) {
            engine.createTask("wait", "wait_slow", Map.of("i", i));
            Thread.sleep(20);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
        while (running.get() < 3 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertEquals(3, running.get(), "slow steps running at once");
    }

    @Test
    void withoutTheExtensionsTheContractFunctionsAreEnough() throws Exception {
        EngineHarness engine =
                start(Map.of("tasker.library.extensions", "false", "tasker.worker.poll-interval-ms", "5"));
        assertFalse(ffi.hasExtensions());
        assertFalse(runtime.waitsForEvents());
        for (int i = 0; i < 10; i++) {
            String task = engine.createTask("wait", "wait_chain", Map.of("i", i));
            assertEquals(
                    "complete",
                    engine.awaitTerminal(task, 10_000).path("status").asText());
        }
        assertEquals(30, runtime.status().succeeded());
        assertEquals(0, ffi.waitCalls());
        assertEquals(0, ffi.batchPollCalls());
        assertEquals(0, ffi.batchCompletionCalls());
    }
}
