package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Failure paths against a scripted engine: nothing may ever be left pending, and slots always come back. */
class WorkerRuntimeFailurePathsTest extends ScriptedRuntimeTest {

    @Test
    void interceptorsWrapTheHandlerInOrderInsideTheLogContext() throws Exception {
        List<String> trace = new java.util.concurrent.CopyOnWriteArrayList<>();
        registry.register("ok", ctx -> {
            trace.add("handler");
            return StepHandlerResult.success(Map.of("result", 1));
        });
        StepInterceptor outer = (ctx, next) -> {
            trace.add("outer:"
                    + io.tasker.worker.internal.logging.StepLogContext.current().stepUuid());
            return next.call().withMetadata(Map.of("wrapped", true));
        };
        StepInterceptor inner = (ctx, next) -> {
            trace.add("inner");
            return next.call();
        };
        engine.events.add(FakeEngine.event("i1", "si", "ok"));
        start(Map.of(), outer, inner);
        await(() -> engine.calls("complete_step_event").size() == 1);
        assertEquals(List.of("outer:si", "inner", "handler"), trace);
        assertTrue(Json.parse(engine.calls("complete_step_event").get(0).json())
                .path("metadata")
                .path("custom")
                .path("wrapped")
                .asBoolean());
    }

    @Test
    void refusedCompletionIsResentAsAMinimalFailure() throws Exception {
        registry.register("ok", ctx -> StepHandlerResult.success(Map.of("result", 1)));
        engine.completeAnswer = (id, json) -> json.contains("\"success\":true") ? 0 : 1;
        engine.events.add(FakeEngine.event("e1", "s1", "ok"));
        start(Map.of());
        await(() -> engine.calls("complete_step_event").size() == 2);
        JsonNode resent = Json.parse(engine.calls("complete_step_event").get(1).json());
        assertEquals("e1", engine.calls("complete_step_event").get(1).eventId());
        assertEquals("s1", resent.path("step_uuid").asText());
        assertFalse(resent.path("success").asBoolean());
        assertTrue(resent.path("metadata").path("retryable").asBoolean());
        await(() -> runtime.slotsUsed() == 0);
    }

    @Test
    void unserialisableResultIsReportedAsAFailure() throws Exception {
        Object selfReferencing = new Object() {
            public Object getSelf() {
                return this;
            }
        };
        registry.register("bad", ctx -> StepHandlerResult.success(selfReferencing));
        engine.events.add(FakeEngine.event("e2", "s2", "bad"));
        start(Map.of());
        await(() -> engine.calls("complete_step_event").size() == 1);
        JsonNode sent = Json.parse(engine.calls("complete_step_event").get(0).json());
        assertFalse(sent.path("success").asBoolean());
        assertTrue(sent.path("error").path("message").asText().contains("could not be serialised"), sent.toString());
        assertTrue(sent.path("metadata").path("retryable").asBoolean());
    }

    @Test
    void rejectedSubmissionIsFailedAtOnce() throws Exception {
        handlers.shutdownNow();
        handlers = new java.util.concurrent.AbstractExecutorService() {
            @Override
            public void shutdown() {}

            @Override
            public List<Runnable> shutdownNow() {
                return List.of();
            }

            @Override
            public boolean isShutdown() {
                return false;
            }

            @Override
            public boolean isTerminated() {
                return false;
            }

            @Override
            public boolean awaitTermination(long t, TimeUnit u) {
                return true;
            }

            @Override
            public void execute(Runnable command) {
                throw new RejectedExecutionException("full");
            }
        };
        registry.register("ok", ctx -> StepHandlerResult.success(null));
        engine.events.add(FakeEngine.event("e3", "s3", "ok"));
        start(Map.of());
        await(() -> engine.calls("complete_step_event").size() == 1);
        assertTrue(engine.calls("complete_step_event").get(0).json().contains("rejected"));
        await(() -> runtime.slotsUsed() == 0);
    }

    @Test
    void unreadableEventReturnsItsSlot() throws Exception {
        engine.events.add("{not json");
        start(Map.of("tasker.worker.max-concurrency", "1"));
        await(() -> engine.polls.get() > 3);
        assertEquals(0, runtime.slotsUsed());
    }

    @Test
    void pollsOnlyWhileASlotIsFree() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        registry.register("block", ctx -> {
            release.await();
            return StepHandlerResult.success(null);
        });
        engine.events.add(FakeEngine.event("e4", "s4", "block"));
        engine.events.add(FakeEngine.event("e5", "s5", "block"));
        start(Map.of("tasker.worker.max-concurrency", "1"));
        await(() -> runtime.slotsUsed() == 1);
        int pollsWhileBusy = engine.polls.get();
        Thread.sleep(100); // ~10 ticks with no free slot
        assertEquals(pollsWhileBusy, engine.polls.get(), "polled without a free slot");
        assertEquals(1, engine.events.size(), "the second event must stay in the engine");
        release.countDown();
        await(() -> engine.calls("complete_step_event").size() == 2);
    }

    @Test
    void shutdownDrainsThenFailsStragglersThenStopsTheEngine() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        registry.register("quick", ctx -> {
            Thread.sleep(100);
            return StepHandlerResult.success(null);
        });
        registry.register("stuck", ctx -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return StepHandlerResult.success(null);
        });
        engine.events.add(FakeEngine.event("q", "sq", "quick"));
        engine.events.add(FakeEngine.event("x", "sx", "stuck"));
        start(Map.of("tasker.worker.shutdown-grace-ms", "500"));
        await(() -> runtime.slotsUsed() == 2);
        Thread stopper = new Thread(runtime::stop);
        long begun = System.nanoTime();
        stopper.start();
        await(runtime::isDraining); // readiness goes down before the drain finishes
        engine.events.add(FakeEngine.event("late", "sl", "quick"));
        stopper.join(5000);
        long ms = (System.nanoTime() - begun) / 1_000_000;
        assertEquals(WorkerState.STOPPED, runtime.state());
        assertTrue(ms >= 400 && ms < 3000, "stop took " + ms + " ms");
        List<FakeEngine.Call> completions = engine.calls("complete_step_event");
        assertEquals(2, completions.size(), "the late event must not have been polled");
        JsonNode quick = Json.parse(completions.stream()
                .filter(c -> c.eventId().equals("q"))
                .findFirst()
                .orElseThrow()
                .json());
        assertTrue(quick.path("success").asBoolean(), "the quick handler finished within the grace period");
        JsonNode stuck = Json.parse(completions.stream()
                .filter(c -> c.eventId().equals("x"))
                .findFirst()
                .orElseThrow()
                .json());
        assertFalse(stuck.path("success").asBoolean());
        assertTrue(stuck.path("metadata").path("retryable").asBoolean());
        assertTrue(stuck.path("metadata").path("custom").path("worker_shutdown").asBoolean());
        List<String> order = engine.calls.stream()
                .map(FakeEngine.Call::function)
                .filter(f -> f.equals("transition_to_graceful_shutdown") || f.equals("stop_worker"))
                .toList();
        assertEquals(List.of("transition_to_graceful_shutdown", "stop_worker"), order);
        await(interrupted::get);
        await(() -> engine.frees.get() == runtime.engine().stringsReceived());
    }
}
