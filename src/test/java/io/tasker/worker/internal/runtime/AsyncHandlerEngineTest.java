package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link AsyncStepHandler}s on the real engine through JNA: every way a stage can end reports the outcome a
 * synchronous handler would, a pending stage holds a slot but no thread, and a stage past the handler timeout is
 * failed and cancelled. The worker has {@value #SLOTS} slots but only {@value #THREADS} handler threads, so a
 * runtime that waited for stages on its threads could not pass {@link #pendingStagesHoldSlotsButNoThreads}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncHandlerEngineTest {

    private static final int SLOTS = 64;
    private static final int THREADS = 2;
    private static final int GATED = 40;

    private TaskerFfi ffi;
    private WorkerRuntime runtime;
    private ExecutorService handlers;
    private ScheduledExecutorService scheduler;
    private ScheduledExecutorService completer;
    private EngineHarness engine;

    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger maxPending = new AtomicInteger();
    private final ConcurrentLinkedQueue<CompletableFuture<StepHandlerResult>> gate = new ConcurrentLinkedQueue<>();
    private final AtomicReference<CompletableFuture<StepHandlerResult>> hung = new AtomicReference<>();
    private final AtomicInteger wrappedAsync = new AtomicInteger();
    private final AtomicInteger wrappedSync = new AtomicInteger();

    @BeforeAll
    void startWorker() throws Exception {
        ffi = LibraryLocator.standard(null).load();
        completer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "test-completer"));
        DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
        registry.register("async_delayed", (AsyncStepHandler) ctx -> {
            int value = ctx.getInput("value", Integer.class);
            CompletableFuture<StepHandlerResult> f = new CompletableFuture<>();
            completer.schedule(
                    () -> f.complete(StepHandlerResult.success(Map.of(
                            "doubled",
                            value * 2,
                            "completed_on",
                            Thread.currentThread().getName()))),
                    30,
                    TimeUnit.MILLISECONDS);
            return f;
        });
        registry.register("async_inline", (AsyncStepHandler)
                ctx -> CompletableFuture.completedFuture(StepHandlerResult.success(Map.of("inline", true))));
        registry.register("async_permanent", (AsyncStepHandler) ctx -> later(() -> {
            throw new PermanentStepException("order cancelled upstream");
        }));
        registry.register("async_exception", (AsyncStepHandler) ctx -> later(() -> {
            throw new IllegalStateException("remote said no");
        }));
        registry.register("async_throwing", (AsyncStepHandler) ctx -> {
            throw new IllegalArgumentException("bad request built");
        });
        registry.register("async_null", (AsyncStepHandler) ctx -> null);
        registry.register("async_hung", (AsyncStepHandler) ctx -> {
            CompletableFuture<StepHandlerResult> f = new CompletableFuture<>();
            hung.set(f);
            return f;
        });
        registry.register("async_gate", (AsyncStepHandler) ctx -> {
            CompletableFuture<StepHandlerResult> f = new CompletableFuture<>();
            gate.add(f);
            maxPending.accumulateAndGet(pending.incrementAndGet(), Math::max);
            return f.whenComplete((r, t) -> pending.decrementAndGet());
        });
        WorkerSettings settings = WorkerSettings.of(Map.of(
                "tasker.worker.max-concurrency", Integer.toString(SLOTS),
                "tasker.worker.handler-timeout-ms", "1500",
                "tasker.worker.shutdown-grace-ms", "3000",
                "tasker.engine.data-dir", "memory"));
        handlers = Executors.newFixedThreadPool(THREADS);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        runtime = new WorkerRuntime(ffi, settings, registry, handlers, scheduler, null, registry::versionOf);
        // An interceptor with its own asynchronous form: it wraps every asynchronous call without waiting.
        runtime.useInterceptors(List.of(new StepInterceptor() {
            @Override
            public StepHandlerResult around(StepContext context, Callable<StepHandlerResult> next) throws Exception {
                wrappedSync.incrementAndGet();
                return next.call();
            }

            @Override
            public CompletionStage<StepHandlerResult> aroundAsync(
                    StepContext context, Callable<CompletionStage<StepHandlerResult>> next) throws Exception {
                wrappedAsync.incrementAndGet();
                return next.call();
            }
        }));
        List<TemplateSource> templates = new ArrayList<>(TemplateLoader.fromDirectory(Path.of(
                getClass().getClassLoader().getResource("tasker/test-templates").toURI())));
        runtime.bootstrap(templates);
        runtime.start();
        engine = new EngineHarness(ffi);
    }

    /** A stage completed by another thread 10 ms from now with what {@code body} returns or throws. */
    private CompletableFuture<StepHandlerResult> later(Callable<StepHandlerResult> body) {
        CompletableFuture<StepHandlerResult> f = new CompletableFuture<>();
        completer.schedule(
                () -> {
                    try {
                        f.complete(body.call());
                    } catch (Exception e) {
                        f.completeExceptionally(e);
                    }
                },
                10,
                TimeUnit.MILLISECONDS);
        return f;
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
            completer.shutdownNow();
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private JsonNode run(String callable, Map<String, ?> context) throws InterruptedException {
        String task = engine.createTask("test", callable + "_workflow", context);
        engine.awaitTerminal(task, 10_000);
        return engine.step(task, "run");
    }

    private static JsonNode error(JsonNode step) {
        return step.get("results").path("error");
    }

    @Test
    void aStageCompletedOnAnotherThreadIsReportedOnAHandlerThread() throws Exception {
        int before = wrappedAsync.get();
        JsonNode step = run("async_delayed", Map.of("value", 21));
        assertEquals("complete", step.path("current_state").asText(), step.toString());
        JsonNode result = EngineHarness.handlerResult(step);
        assertEquals(42, result.path("doubled").asInt());
        assertEquals("test-completer", result.path("completed_on").asText());
        assertTrue(wrappedAsync.get() > before, "the interceptor's asynchronous form wraps the call");
        assertEquals(0, wrappedSync.get(), "no asynchronous handler goes through the blocking form");
    }

    @Test
    void aStageAlreadyCompleteIsReportedAtOnce() throws Exception {
        JsonNode step = run("async_inline", Map.of());
        assertEquals("complete", step.path("current_state").asText(), step.toString());
        assertTrue(EngineHarness.handlerResult(step).path("inline").asBoolean());
    }

    @Test
    void aStageFailedWithAStepFailureReportsIt() throws Exception {
        JsonNode step = run("async_permanent", Map.of());
        assertEquals("error", step.path("current_state").asText());
        assertEquals("permanent_error", error(step).path("error_type").asText());
        assertEquals("order cancelled upstream", error(step).path("message").asText());
        assertFalse(step.get("results").path("metadata").path("retryable").asBoolean());
    }

    @Test
    void aStageFailedWithAnyOtherExceptionIsARetryableHandlerError() throws Exception {
        JsonNode step = run("async_exception", Map.of());
        assertEquals("handler_error", error(step).path("error_type").asText());
        assertEquals(
                "java.lang.IllegalStateException: remote said no",
                error(step).path("message").asText(),
                "the CompletionException wrapper is not what the handler threw");
        assertTrue(step.get("results").path("metadata").path("retryable").asBoolean());
    }

    @Test
    void callAsyncThatThrowsIsAHandlerError() throws Exception {
        JsonNode step = run("async_throwing", Map.of());
        assertEquals("handler_error", error(step).path("error_type").asText());
        assertTrue(
                error(step).path("message").asText().contains("bad request built"),
                error(step).toString());
    }

    @Test
    void aNullStageIsAHandlerError() throws Exception {
        JsonNode step = run("async_null", Map.of());
        assertEquals("handler_error", error(step).path("error_type").asText());
        assertEquals(
                "Handler 'async_null' returned no result",
                error(step).path("message").asText());
    }

    @Test
    void aStagePastTheTimeoutIsFailedAndCancelled() throws Exception {
        JsonNode step = run("async_hung", Map.of());
        assertEquals("timeout", error(step).path("error_type").asText(), step.toString());
        CompletableFuture<StepHandlerResult> f = hung.get();
        assertTrue(f != null && f.isCancelled(), "the timed-out stage is cancelled: " + f);
        assertEquals(0, runtime.inFlightCount(), "the slot is free again");
    }

    @Test
    void pendingStagesHoldSlotsButNoThreads() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < GATED; i++) {
            tasks.add(engine.createTask("test", "async_gate_workflow", Map.of("i", i)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pending.get() < GATED && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertEquals(GATED, pending.get(), "every step is pending at once on " + THREADS + " handler threads");
        assertEquals(GATED, runtime.inFlightCount(), "each pending step holds its slot");
        CompletableFuture<StepHandlerResult> f;
        while ((f = gate.poll()) != null) {
            f.complete(StepHandlerResult.success(Map.of("released", true)));
        }
        for (String task : tasks) {
            assertEquals(
                    "complete",
                    engine.awaitTerminal(task, 10_000).path("status").asText());
        }
        assertEquals(GATED, maxPending.get());
    }
}
