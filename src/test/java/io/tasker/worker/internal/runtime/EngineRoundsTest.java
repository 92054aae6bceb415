package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Completions sent in batches by whichever handler thread runs the engine round, against a scripted engine that
 * exports the ABI extensions: every event still gets exactly one completion, a refused item gets the minimal
 * failure, and an unreadable batch falls back to one call per completion.
 */
class EngineRoundsTest extends ScriptedRuntimeTest {

    private static final int EVENTS = 24;

    private void queueEvents() {
        for (int i = 1; i <= EVENTS; i++) {
            engine.events.add(FakeEngine.event("e" + i, "s" + i, "quick"));
        }
    }

    /** Each completion call takes a while, so completions of the other handlers queue up behind the round. */
    private void startBatching(Map<String, String> extra) {
        engine.extensions = true;
        engine.completeDelayMs = 30;
        registry.register("quick", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        Map<String, String> settings = new java.util.HashMap<>(Map.of("tasker.worker.max-concurrency", "4"));
        settings.putAll(extra);
        start(settings);
    }

    private Set<String> completedIds() {
        return engine.calls("complete_step_event").stream()
                .map(FakeEngine.Call::eventId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void queuedCompletionsGoOutTogetherAndEachEventOnce() throws Exception {
        queueEvents();
        startBatching(Map.of());
        await(() -> engine.calls("complete_step_event").size() >= EVENTS && runtime.inFlightCount() == 0);

        assertEquals(EVENTS, engine.calls("complete_step_event").size(), "one completion per event");
        assertEquals(EVENTS, completedIds().size());
        assertTrue(
                engine.calls("complete_step_events_batch").stream()
                        .anyMatch(c -> Json.parse(c.json()).size() > 1),
                "completions that queued behind a round went out in one call");
        assertTrue(engine.batchPolls.get() > 0, "events were polled in batches");
        assertTrue(runtime.maxObservedInFlight() <= 4, "never more events than slots");
        assertEquals(EVENTS, runtime.status().succeeded());
    }

    @Test
    void oneThreadRunsTheWaitingQuickStepsBeforeItSendsTheirCompletionsTogether() throws Exception {
        engine.extensions = true;
        handlers.shutdownNow();
        handlers = java.util.concurrent.Executors.newSingleThreadExecutor(); // one thread: no round ever overlaps
        queueEvents();
        registry.register("quick", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        start(Map.of("tasker.worker.max-concurrency", "8"));
        await(() -> runtime.status().succeeded() >= EVENTS && runtime.inFlightCount() == 0);

        assertEquals(EVENTS, engine.calls("complete_step_event").size(), "one completion per event");
        assertEquals(EVENTS, completedIds().size());
        int largest = engine.calls("complete_step_events_batch").stream()
                .mapToInt(c -> Json.parse(c.json()).size())
                .max()
                .orElse(0);
        assertTrue(largest > 1, "completions of steps run back to back went out in one call: " + largest);
        assertTrue(largest <= EngineRounds.MAX_DEFERRED + 1, "at most MAX_DEFERRED left waiting: " + largest);
        assertTrue(runtime.maxObservedInFlight() <= 8, "never more events than slots");
    }

    /** A durable engine (a data directory) whose completion calls each wait {@code completeDelayMs}, as for a sync. */
    private void startDurable(CountingHandler counter, long completeDelayMs) {
        engine.extensions = true;
        engine.completeDelayMs = completeDelayMs;
        registry.register("quick", counter);
        start(Map.of(
                "tasker.worker.max-concurrency",
                "4",
                "tasker.engine.data-dir",
                System.getProperty("java.io.tmpdir") + "/tasker-rounds-" + System.nanoTime()));
    }

    /** Counts the handlers running at once. */
    static final class CountingHandler implements ExecutableHandler {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger ran = new AtomicInteger();

        @Override
        public StepHandlerResult call(StepContext ctx) throws Exception {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
                return StepHandlerResult.success(Map.of("ok", true));
            } finally {
                running.decrementAndGet();
                ran.incrementAndGet();
            }
        }
    }

    @Test
    void withADurableEngineSlotsRunNewStepsWhileCompletionsWaitForTheirSync() throws Exception {
        queueEvents();
        CountingHandler handler = new CountingHandler();
        startDurable(handler, 30);
        await(() -> runtime.status().succeeded() >= EVENTS && runtime.inFlightCount() == 0);

        assertEquals(EVENTS, engine.calls("complete_step_event").size(), "one completion per event");
        assertEquals(EVENTS, completedIds().size());
        assertTrue(handler.most.get() <= 4, "never more handlers at once than slots: " + handler.most.get());
        assertTrue(runtime.maxObservedInFlight() <= 4, "never more running events than slots");
        int largest = engine.calls("complete_step_events_batch").stream()
                .mapToInt(c -> Json.parse(c.json()).size())
                .max()
                .orElse(0);
        assertTrue(largest > 4, "a commit carried the completions of more steps than there are slots: " + largest);
    }

    @Test
    void aStopWaitsForCompletionsWhoseSlotsWereFreedEarly() throws Exception {
        queueEvents();
        CountingHandler handler = new CountingHandler();
        startDurable(handler, 200);
        await(() -> handler.ran.get() >= EVENTS);
        runtime.stop();

        List<String> order =
                engine.calls.stream().map(FakeEngine.Call::function).toList();
        int stop = order.indexOf("stop_worker");
        assertTrue(stop > 0, "the worker stopped: " + order);
        assertEquals(EVENTS, completedIds().size(), "every completion reached the engine");
        assertTrue(
                order.lastIndexOf("complete_step_event") < stop,
                "every completion was answered before the worker stopped");
        assertEquals(EVENTS, runtime.status().succeeded());
    }

    @Test
    void aRefusedItemGetsTheMinimalFailureAlone() throws Exception {
        queueEvents();
        engine.completeAnswer = (id, json) -> "e7".equals(id) && json.contains("\"success\":true") ? 0 : 1;
        startBatching(Map.of());
        await(() -> runtime.status().succeeded() + runtime.status().failed() >= EVENTS && runtime.inFlightCount() == 0);

        List<FakeEngine.Call> e7 = engine.calls("complete_step_event").stream()
                .filter(c -> "e7".equals(c.eventId()))
                .toList();
        assertEquals(2, e7.size(), "the refused completion, then the minimal failure: " + e7);
        JsonNode fallback = Json.parse(e7.get(1).json());
        assertFalse(fallback.path("success").asBoolean());
        assertTrue(fallback.path("metadata").path("retryable").asBoolean());
        assertEquals(EVENTS + 1, engine.calls("complete_step_event").size(), "no other event was sent twice");
    }

    @Test
    void anUnreadableBatchFallsBackToOneCallPerCompletion() throws Exception {
        queueEvents();
        engine.batchAnswer = items -> null; // the engine could not read the array: nothing applied
        startBatching(Map.of());
        await(() -> runtime.status().succeeded() >= EVENTS && runtime.inFlightCount() == 0);

        assertEquals(EVENTS, engine.calls("complete_step_event").size());
        assertEquals(EVENTS, completedIds().size(), "every event once, through the single call");
    }

    @Test
    void withoutExtensionsNothingBatchedIsCalled() throws Exception {
        queueEvents();
        registry.register("quick", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        start(Map.of("tasker.worker.max-concurrency", "4"));
        await(() -> runtime.status().succeeded() >= EVENTS && runtime.inFlightCount() == 0);

        assertFalse(runtime.waitsForEvents());
        assertEquals(0, engine.batchPolls.get());
        assertEquals(0, engine.waits.get());
        assertTrue(engine.calls("complete_step_events_batch").isEmpty());
        assertEquals(EVENTS, completedIds().size());
    }

    @Test
    void aTimedOutHandlersInterruptDoesNotReachTheNextStepOnItsThread() throws Exception {
        engine.extensions = true;
        handlers.shutdownNow();
        handlers = java.util.concurrent.Executors.newSingleThreadExecutor(); // every step on the thread that timed out
        CountDownLatch slowStarted = new CountDownLatch(1);
        List<Boolean> interruptedOnEntry = new CopyOnWriteArrayList<>();
        AtomicBoolean slowInterrupted = new AtomicBoolean();
        registry.register("slow", ctx -> {
            slowStarted.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                slowInterrupted.set(true);
            }
            return StepHandlerResult.success(Map.of());
        });
        registry.register("quick", ctx -> {
            interruptedOnEntry.add(Thread.currentThread().isInterrupted());
            return StepHandlerResult.success(Map.of("ok", true));
        });
        engine.events.add(FakeEngine.event("slow-1", "s-slow", "slow"));
        start(Map.of(
                "tasker.worker.max-concurrency",
                "1",
                "tasker.worker.handler-timeout-ms",
                "300",
                "tasker.worker.poll-interval-ms",
                "20"));
        assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
        // Queued while the slow step holds the only slot; the one handler thread runs them after it.
        for (int i = 1; i <= 3; i++) {
            engine.events.add(FakeEngine.event("q" + i, "s-q" + i, "quick"));
        }
        await(() -> interruptedOnEntry.size() == 3);

        assertTrue(slowInterrupted.get(), "the timed-out handler was interrupted");
        assertEquals(List.of(false, false, false), interruptedOnEntry, "no later step saw that interrupt");
        List<FakeEngine.Call> slow = engine.calls("complete_step_event").stream()
                .filter(c -> "slow-1".equals(c.eventId()))
                .toList();
        assertEquals(1, slow.size(), "the timeout was the only outcome of the slow step (the late result dropped)");
        assertTrue(
                slow.get(0).json().contains("\"error_type\":\"timeout\""),
                slow.get(0).json());
    }
}
