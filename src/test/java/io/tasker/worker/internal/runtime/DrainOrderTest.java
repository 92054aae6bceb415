package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

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
        assertEquals(
                List.of("e1"),
                engine.calls("complete_step_event").stream()
                        .map(FakeEngine.Call::eventId)
                        .toList());
        List<String> order = engine.calls.stream()
                .map(FakeEngine.Call::function)
                .filter(f -> f.equals("complete_step_event")
                        || f.equals("transition_to_graceful_shutdown")
                        || f.equals("stop_worker"))
                .toList();
        assertEquals(List.of("complete_step_event", "transition_to_graceful_shutdown", "stop_worker"), order);
        assertEquals(WorkerState.STOPPED, runtime.state());
        assertFalse(engine.events.isEmpty(), "e2 stays with the engine for another worker");
    }

    @Test
    void theDrainLogsWhatItWaitsForAndHowItEnded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        registry.register("quick", ctx -> {
            release.await();
            return StepHandlerResult.success(Map.of());
        });
        registry.register("stuck", ctx -> {
            Thread.sleep(60_000);
            return StepHandlerResult.success(Map.of());
        });
        engine.events.add(FakeEngine.event("e1", "s1", "quick"));
        engine.events.add(FakeEngine.event("e2", "s2", "stuck"));
        start(Map.of("tasker.worker.max-concurrency", "4", "tasker.worker.shutdown-grace-ms", "1500"));
        await(() -> runtime.slotsUsed() == 2);

        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().startsWith("Drain")) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(WorkerRuntime.class.getName());
        log.addHandler(capture);
        try {
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(runtime::stop, handlers);
            await(() -> !lines.isEmpty());
            assertTrue(
                    lines.get(0).matches("Drain started: 2 handler\\(s\\) in flight .*, waiting up to 1500 ms"),
                    lines.get(0));
            assertTrue(lines.get(0).contains("quick=1") && lines.get(0).contains("stuck=1"), lines.get(0));
            release.countDown();
            stopping.get(20, TimeUnit.SECONDS);
        } finally {
            log.removeHandler(capture);
        }
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(
                lines.get(1)
                        .matches("Drain ended after \\d+ ms: 1 of 2 handler\\(s\\) finished, 1 failed as retryable"),
                lines.get(1));
        long tookMs = Long.parseLong(lines.get(1).replaceAll("Drain ended after (\\d+) ms.*", "$1"));
        assertTrue(tookMs >= 1400, "the straggler kept the drain waiting for the grace period: " + tookMs);
    }
}
