package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.StepHandlerResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order of a graceful stop: readiness goes down first (the runtime leaves RUNNING, which is what the readiness
 * check reads), polling stops, the handler in flight finishes and its completion is accepted, and only then is the
 * engine told to shut down.
 */
class DrainOrderTest extends ScriptedRuntimeTest {

    @Test
    void readinessGoesDownBeforeTheHandlerInFlightFinishes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        registry.register("slow", ctx -> {
            release.await();
            return StepHandlerResult.success(Map.of("done", true));
        });
        engine.events.add(FakeEngine.event("e1", "s1", "slow"));
        start(Map.of("tasker.worker.max-concurrency", "2", "tasker.worker.shutdown-grace-ms", "20000"));
        await(() -> runtime.slotsUsed() == 1);
        assertEquals(WorkerState.RUNNING, runtime.state());

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(runtime::stop, handlers);
        await(runtime::isDraining);
        // Readiness is DOWN now, while the handler still runs and nothing has been completed or shut down.
        assertTrue(runtime.state() != WorkerState.RUNNING);
        assertEquals(1, runtime.slotsUsed());
        assertTrue(engine.calls("complete_step_event").isEmpty());
        assertTrue(engine.calls("transition_to_graceful_shutdown").isEmpty());

        // A free slot and a queued event, but a draining worker polls no more.
        engine.events.add(FakeEngine.event("e2", "s2", "slow"));
        int polls = engine.polls.get();
        Thread.sleep(100); // ten poll intervals
        assertEquals(polls, engine.polls.get(), "polled while draining");

        release.countDown();
        stopping.get(20, TimeUnit.SECONDS);
        assertEquals(List.of("e1"), engine.calls("complete_step_event").stream().map(FakeEngine.Call::eventId).toList());
        List<String> order = engine.calls.stream().map(FakeEngine.Call::function)
                .filter(f -> f.equals("complete_step_event") || f.equals("transition_to_graceful_shutdown")
                        || f.equals("stop_worker"))
                .toList();
        assertEquals(List.of("complete_step_event", "transition_to_graceful_shutdown", "stop_worker"), order);
        assertEquals(WorkerState.STOPPED, runtime.state());
        assertFalse(engine.events.isEmpty(), "e2 stays with the engine for another worker");
    }
}
