package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.examples.AddConstant;
import io.tasker.worker.examples.BranchB;
import io.tasker.worker.examples.BranchC;
import io.tasker.worker.examples.DiamondEnd;
import io.tasker.worker.examples.DiamondStart;
import io.tasker.worker.examples.DoubleValue;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import io.tasker.worker.testsupport.PermanentFailure;
import io.tasker.worker.testsupport.SlowSleep;
import io.tasker.worker.testsupport.SucceedOnThirdAttempt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runtime against the real engine through JNA, in a plain JVM: one engine and one worker for the class, with
 * two execution slots, a 1.5 s handler timeout and fast retries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerRuntimeEngineTest {

    private static final int SLOTS = 2;

    private TaskerFfi ffi;
    private WorkerRuntime runtime;
    private ExecutorService handlers;
    private ScheduledExecutorService scheduler;
    private EngineHarness engine;
    private final List<StepLifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicBoolean hungHandlerInterrupted = new AtomicBoolean();
    private volatile Thread pollerThread;

    /** Handlers used only by these tests. */
    public static final class MultiMethod implements io.tasker.worker.api.ExecutableHandler {
        @Override
        public StepHandlerResult call(StepContext ctx) {
            return StepHandlerResult.success(Map.of("result", "call"));
        }

        public StepHandlerResult triple(StepContext ctx) {
            return StepHandlerResult.success(Map.of("result", ((Number) ctx.getInput("value")).longValue() * 3));
        }
    }

    @BeforeAll
    void startWorker() throws Exception {
        ffi = LibraryLocator.standard(null).load();
        DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
        registry.register("double_value", new DoubleValue());
        registry.register("add_constant", new AddConstant());
        registry.register("diamond_start", new DiamondStart());
        registry.register("branch_b", new BranchB());
        registry.register("branch_c", new BranchC());
        registry.register("diamond_end", new DiamondEnd());
        registry.register("permanent_failure", new PermanentFailure());
        registry.register("succeed_on_third_attempt", new SucceedOnThirdAttempt());
        registry.register("slow_sleep", new SlowSleep());
        registry.register("multi_method", "2.0.0", MultiMethod::new);
        registry.register("throwing_handler", ctx -> {
            throw new IllegalStateException("kaboom");
        });
        registry.register("hung_handler", ctx -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                hungHandlerInterrupted.set(true);
                throw e;
            }
            return StepHandlerResult.success(Map.of());
        });
        WorkerSettings settings = WorkerSettings.of(Map.of(
                "tasker.worker.max-concurrency", Integer.toString(SLOTS),
                "tasker.worker.handler-timeout-ms", "1500",
                "tasker.worker.shutdown-grace-ms", "3000",
                "tasker.worker.metrics-interval-ms", "50",
                "tasker.worker.cleanup-interval-ms", "1000",
                "tasker.engine.data-dir", "memory",
                "tasker.engine.backoff.base-ms", "20",
                "tasker.engine.backoff.max-ms", "100"));
        handlers = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-poller");
            pollerThread = t;
            return t;
        });
        runtime = new WorkerRuntime(ffi, settings, registry, handlers, scheduler, events::add, registry::versionOf);
        List<TemplateSource> templates =
                new ArrayList<>(TemplateLoader.bundled(getClass().getClassLoader()));
        templates.addAll(TemplateLoader.fromDirectory(Path.of(
                getClass().getClassLoader().getResource("tasker/test-templates").toURI())));
        String workerId = runtime.bootstrap(templates);
        assertTrue(workerId.startsWith("java-worker-"), workerId);
        runtime.start();
        engine = new EngineHarness(ffi);
    }

    @AfterAll
    void stopWorker() throws InterruptedException {
        if (runtime != null) {
            runtime.stop();
            assertEquals(WorkerState.STOPPED, runtime.state());
        }
        if (handlers != null) {
            handlers.shutdownNow();
            scheduler.shutdownNow();
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void linearWorkflowComputesSixteen() throws Exception {
        String task = engine.createTask("examples", "linear_workflow", Map.of("value", 3));
        assertEquals(
                "complete", engine.awaitTerminal(task, 10_000).path("status").asText());
        assertEquals(
                6,
                EngineHarness.handlerResult(engine.step(task, "double_value"))
                        .path("result")
                        .asInt());
        assertEquals(
                16,
                EngineHarness.handlerResult(engine.step(task, "add_constant"))
                        .path("result")
                        .asInt());
    }

    @Test
    @Order(2)
    void diamondWorkflowComputesTwentySix() throws Exception {
        long start = System.nanoTime();
        String task = engine.createTask("examples", "diamond_workflow", Map.of("value", 3));
        assertEquals(
                "complete", engine.awaitTerminal(task, 10_000).path("status").asText());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(
                9,
                EngineHarness.handlerResult(engine.step(task, "diamond_start"))
                        .path("result")
                        .asInt());
        assertEquals(
                34,
                EngineHarness.handlerResult(engine.step(task, "branch_b"))
                        .path("result")
                        .asInt());
        assertEquals(
                18,
                EngineHarness.handlerResult(engine.step(task, "branch_c"))
                        .path("result")
                        .asInt());
        assertEquals(
                26,
                EngineHarness.handlerResult(engine.step(task, "diamond_end"))
                        .path("result")
                        .asInt());
        assertTrue(ms < 1000, "diamond took " + ms + " ms");
        System.out.println("diamond create->complete in-process: " + ms + " ms");
    }

    @Test
    @Order(3)
    void lifecycleEventsAreFired() throws Exception {
        events.clear();
        String task = engine.createTask("examples", "linear_workflow", Map.of("value", 1));
        engine.awaitTerminal(task, 10_000);
        Thread.sleep(50);
        assertEquals(
                2,
                events.stream()
                        .filter(e -> e instanceof StepExecutionReceived
                                && e.taskUuid().equals(task))
                        .count());
        assertEquals(
                2,
                events.stream()
                        .filter(e -> e instanceof StepExecutionStarted
                                && e.taskUuid().equals(task))
                        .count());
        assertEquals(
                2,
                events.stream()
                        .filter(e -> e instanceof StepExecutionCompleted
                                && e.taskUuid().equals(task))
                        .count());
        assertTrue(events.stream()
                .filter(e -> e instanceof StepCompletionSent && e.taskUuid().equals(task))
                .allMatch(e -> ((StepCompletionSent) e).accepted()));
    }

    @Test
    @Order(4)
    void permanentFailureStopsAfterOneAttempt() throws Exception {
        String task = engine.createTask("examples", "permanent_failure_workflow", Map.of());
        String status = engine.awaitTerminal(task, 10_000).path("status").asText();
        assertTrue(status.equals("error") || status.equals("blocked_by_failures"), status);
        JsonNode step = engine.step(task, "permanent_failure");
        assertEquals("error", step.path("current_state").asText());
        assertEquals(1, step.path("attempts").asInt());
        JsonNode results = step.get("results");
        assertEquals("permanent_error", results.path("error").path("error_type").asText());
        assertFalse(results.path("metadata").path("retryable").asBoolean());
        assertEquals(
                "EXAMPLE_PERMANENT", results.path("metadata").path("error_code").asText());
        assertEquals(
                "EXAMPLE_PERMANENT",
                results.path("metadata").path("custom").path("error_code").asText());
    }

    @Test
    @Order(5)
    void retryableFailureSucceedsOnTheThirdAttempt() throws Exception {
        long start = System.nanoTime();
        String task = engine.createTask("examples", "retry_workflow", Map.of());
        assertEquals(
                "complete", engine.awaitTerminal(task, 15_000).path("status").asText());
        JsonNode step = engine.step(task, "succeed_on_third_attempt");
        assertEquals(3, step.path("attempts").asInt());
        assertEquals(3, EngineHarness.handlerResult(step).path("attempt").asInt());
        System.out.println(
                "retry workflow (3 attempts) in-process: " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    @Order(6)
    void unknownHandlerIsNotRetried() throws Exception {
        String task = engine.createTask("test", "unknown_handler_workflow", Map.of());
        engine.awaitTerminal(task, 10_000);
        JsonNode step = engine.step(task, "orphan");
        assertEquals("error", step.path("current_state").asText());
        assertEquals(1, step.path("attempts").asInt(), "handler_not_found must not be retried");
        JsonNode error = step.get("results").path("error");
        assertEquals("handler_not_found", error.path("error_type").asText());
        assertTrue(error.path("message").asText().contains("no_such_handler"), error.toString());
    }

    @Test
    @Order(7)
    void throwingHandlerIsARetryableHandlerError() throws Exception {
        String task = engine.createTask("test", "throwing_workflow", Map.of());
        engine.awaitTerminal(task, 10_000);
        JsonNode results = engine.step(task, "explode").get("results");
        assertEquals("handler_error", results.path("error").path("error_type").asText());
        assertTrue(results.path("metadata").path("retryable").asBoolean());
        assertTrue(results.path("error").path("message").asText().contains("java.lang.IllegalStateException: kaboom"));
        assertTrue(results.path("error").path("backtrace").size() > 0);
        assertEquals(
                "java.lang.IllegalStateException",
                results.path("metadata").path("custom").path("exception_class").asText());
    }

    @Test
    @Order(8)
    void hungHandlerIsTimedOutAndInterrupted() throws Exception {
        long start = System.nanoTime();
        String task = engine.createTask("test", "hung_workflow", Map.of());
        engine.awaitTerminal(task, 10_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        JsonNode results = engine.step(task, "hang").get("results");
        assertEquals("timeout", results.path("error").path("error_type").asText());
        assertTrue(results.path("metadata").path("retryable").asBoolean());
        assertTrue(ms < 5000, "timed out after " + ms + " ms");
        Thread.sleep(100);
        assertTrue(hungHandlerInterrupted.get(), "the hung handler should have been interrupted");
    }

    @Test
    @Order(9)
    void methodDispatchCallsTheNamedMethod() throws Exception {
        String task = engine.createTask("test", "method_dispatch_workflow", Map.of("value", 5));
        assertEquals(
                "complete", engine.awaitTerminal(task, 10_000).path("status").asText());
        JsonNode step = engine.step(task, "triple");
        assertEquals(15, EngineHarness.handlerResult(step).path("result").asInt());
        assertEquals(
                "2.0.0",
                step.get("results").path("metadata").path("handler_version").asText());
    }

    @Test
    @Order(10)
    void pollsOnlyWithAFreeSlot() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(engine.createTask("examples", "slow_workflow", Map.of("sleep_ms", 250)));
        }
        long maxPending = 0;
        long deadline = System.currentTimeMillis() + 10_000;
        boolean allDone = false;
        while (!allDone && System.currentTimeMillis() < deadline) {
            JsonNode metrics = Json.parse(ffi.dispatchMetrics());
            maxPending = Math.max(maxPending, metrics.path("pending_count").asLong());
            assertTrue(runtime.slotsUsed() <= SLOTS);
            allDone = true;
            for (String t : tasks) {
                allDone &= EngineHarness.TERMINAL.contains(
                        engine.task(t).path("status").asText());
            }
            Thread.sleep(5);
        }
        assertTrue(allDone, "slow tasks did not finish");
        for (String t : tasks) {
            assertEquals("complete", engine.task(t).path("status").asText());
        }
        assertTrue(maxPending <= SLOTS, "engine held " + maxPending + " polled events with " + SLOTS + " slots");
        assertTrue(runtime.maxObservedInFlight() <= SLOTS, "in flight " + runtime.maxObservedInFlight());
        assertTrue(runtime.maxObservedInFlight() == SLOTS, "both slots should have been used");
    }

    @Test
    @Order(11)
    void pausedWorkerDoesNotPoll() throws Exception {
        runtime.pause();
        try {
            String task = engine.createTask("examples", "linear_workflow", Map.of("value", 2));
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getThreadCpuTime(pollerThread.getId());
            Thread.sleep(300);
            long cpuMs = (mx.getThreadCpuTime(pollerThread.getId()) - cpu0) / 1_000_000;
            assertFalse(EngineHarness.TERMINAL.contains(
                    engine.task(task).path("status").asText()));
            // A paused poller still checks deadlines every poll interval, but sleeps in between.
            assertTrue(cpuMs < 60, "a paused poller used " + cpuMs + " ms of CPU in 300 ms");
            runtime.resume();
            assertEquals(
                    "complete",
                    engine.awaitTerminal(task, 10_000).path("status").asText());
        } finally {
            runtime.resume();
        }
    }

    @Test
    @Order(100)
    void noNativeStringLeaks() throws Exception {
        // The poll tick keeps calling the engine; a call may be between receive and free at any instant, so
        // look for a moment when the counters agree. A real leak never lets them agree.
        long received = 0;
        long freed = -1;
        for (int i = 0; i < 500 && received != freed; i++) {
            freed = ffi.stringsFreed();
            received = ffi.stringsReceived();
            if (received != freed) {
                Thread.sleep(1);
            }
        }
        assertTrue(received > 50, "expected plenty of engine strings, got " + received);
        assertEquals(received, freed, "every string from the engine must be freed exactly once");
    }
}
