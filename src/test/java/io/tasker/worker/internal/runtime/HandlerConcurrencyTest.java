package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Per-handler caps within the global slots, against a scripted engine. */
class HandlerConcurrencyTest extends ScriptedRuntimeTest {

    @Test
    void cappedHandlerWaitsInFifoHoldingItsGlobalSlotWhileOthersRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        registry.register("slow", ctx -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            order.add(ctx.info().getStepUuid());
            try {
                release.await();
            } finally {
                running.decrementAndGet();
            }
            return StepHandlerResult.success(null);
        });
        registry.register("fast", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        for (int i = 1; i <= 4; i++) {
            engine.events.add(FakeEngine.event("e" + i, "s" + i, "slow"));
        }
        engine.events.add(FakeEngine.event("f1", "sf", "fast"));
        engine.events.add(FakeEngine.event("e5", "s5", "slow"));
        start(Map.of("tasker.worker.max-concurrency", "5", "tasker.worker.handler-concurrency.slow", "2"));

        // 4 slow events take 4 slots (2 running, 2 waiting); the fast one runs in the 5th and frees it.
        await(() -> engine.calls("complete_step_event").stream()
                .anyMatch(c -> c.eventId().equals("f1")));
        await(() -> runtime.slotsUsed() == 5); // e5 polled into the freed slot, waiting too
        Thread.sleep(50);
        assertEquals(2, running.get(), "only the cap may run");
        assertEquals(5, runtime.inFlightCount());
        assertTrue(engine.events.isEmpty(), "every event polled");
        Map<String, Integer> lane = runtime.handlerLimits().get("slow");
        assertEquals(Map.of("limit", 2, "running", 2, "waiting", 3), lane);
        assertEquals(Map.of("slow", 5), runtime.inFlightByHandler());
        WorkerStatus status = runtime.status();
        assertEquals(5, status.slotsUsed());
        assertEquals(5, status.slotsTotal());
        assertEquals(Map.of("slow", 5), status.handlersInFlight());
        assertTrue(runtime.maxObservedInFlight() <= 5);

        release.countDown();
        await(() -> engine.calls("complete_step_event").size() == 6);
        assertEquals(2, maxRunning.get());
        assertEquals(java.util.Set.of("s1", "s2"), java.util.Set.copyOf(order.subList(0, 2)));
        await(() -> runtime.slotsUsed() == 0);
        assertEquals(
                Map.of("limit", 2, "running", 0, "waiting", 0),
                runtime.handlerLimits().get("slow"));
    }

    @Test
    void waitingEventsStartInPollOrder() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        registry.register("one", ctx -> {
            order.add(ctx.info().getStepUuid());
            Thread.sleep(20);
            return StepHandlerResult.success(null);
        });
        for (int i = 1; i <= 5; i++) {
            engine.events.add(FakeEngine.event("o" + i, "s" + i, "one"));
        }
        start(Map.of("tasker.worker.handler-concurrency.one", "1"));
        await(() -> engine.calls("complete_step_event").size() == 5);
        assertEquals(List.of("s1", "s2", "s3", "s4", "s5"), order);
    }

    @Test
    void waitingEventTimesOutFromItsPollAndLeavesTheQueue() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        registry.register("slow", ctx -> {
            release.await();
            return StepHandlerResult.success(null);
        });
        engine.events.add(FakeEngine.event("a", "sa", "slow"));
        engine.events.add(FakeEngine.event("b", "sb", "slow"));
        start(Map.of("tasker.worker.handler-concurrency.slow", "1", "tasker.worker.handler-timeout-ms", "300"));
        await(() -> engine.calls("complete_step_event").size() == 2); // both time out: the waiting one too
        for (FakeEngine.Call c : engine.calls("complete_step_event")) {
            JsonNode sent = Json.parse(c.json());
            assertFalse(sent.path("success").asBoolean());
            assertEquals("timeout", sent.path("error").path("error_type").asText(sent.toString()), sent.toString());
        }
        await(() -> runtime.slotsUsed() == 0);
        assertEquals(
                Map.of("limit", 1, "running", 0, "waiting", 0),
                runtime.handlerLimits().get("slow"));
        release.countDown();
    }

    /**
     * Timing loop, one JVM run: steps/s with no caps (the null check only) against a cap the handler never reaches
     * (the full lane path). Prints the ratio; asserts only a loose bound, since 2 shared cores are noisy.
     */
    @Test
    void noCapMeansNoLanes() throws Exception {
        registry.register("fast", ctx -> StepHandlerResult.success(null));
        engine.events.add(FakeEngine.event("x", "sx", "fast"));
        start(Map.of());
        await(() -> engine.calls("complete_step_event").size() == 1);
        assertEquals(Map.of(), runtime.handlerLimits());
        assertEquals(Map.of(), runtime.status().handlerLimits());
    }
}
