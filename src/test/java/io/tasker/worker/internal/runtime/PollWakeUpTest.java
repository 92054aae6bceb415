package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.ffi.TaskerFfi;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A freed slot polls the next event at once. With a one-minute tick and one slot, only the first tick polls; the
 * other events can only run if each completion asks for the next poll.
 */
class PollWakeUpTest {

    private final FakeEngine engine = new FakeEngine();
    private final DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService handlers = Executors.newFixedThreadPool(2);
    private WorkerRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.stop();
        }
        handlers.shutdownNow();
        scheduler.shutdownNow();
    }

    @Test
    void aFreedSlotPollsTheNextEventWithoutWaitingForTheTick() throws Exception {
        registry.register("quick", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        for (int i = 1; i <= 5; i++) {
            engine.events.add(FakeEngine.event("e" + i, "s" + i, "quick"));
        }
        runtime = new WorkerRuntime(new TaskerFfi(engine, "fake", "test"),
                WorkerSettings.of(Map.of("tasker.worker.max-concurrency", "1",
                        "tasker.worker.poll-interval-ms", "60000")),
                registry, handlers, scheduler, null, registry::versionOf);
        runtime.bootstrap(List.of());
        runtime.start();

        long deadline = System.currentTimeMillis() + 30_000; // far below the next tick, a minute away
        while (engine.calls("complete_step_event").size() < 5 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(5, engine.calls("complete_step_event").size(), "every queued event ran on the first tick's wake-ups");
        assertTrue(engine.events.isEmpty());
        assertTrue(runtime.maxObservedInFlight() <= 1, "never more events than slots");
    }
}
