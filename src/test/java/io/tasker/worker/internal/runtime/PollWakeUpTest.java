package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A freed slot polls the next event at once. With a one-minute tick and one slot, only the first tick polls; the
 * other events can only run if each completion asks for the next poll.
 */
class PollWakeUpTest extends ScriptedRuntimeTest {

    @Test
    void aFreedSlotPollsTheNextEventWithoutWaitingForTheTick() throws Exception {
        registry.register("quick", ctx -> StepHandlerResult.success(Map.of("ok", true)));
        for (int i = 1; i <= 5; i++) {
            engine.events.add(FakeEngine.event("e" + i, "s" + i, "quick"));
        }
        start(Map.of("tasker.worker.max-concurrency", "1", "tasker.worker.poll-interval-ms", "60000"));

        long deadline = System.currentTimeMillis() + 30_000; // far below the next tick, a minute away
        while (engine.calls("complete_step_event").size() < 5 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(
                5, engine.calls("complete_step_event").size(), "every queued event ran on the first tick's wake-ups");
        assertTrue(engine.events.isEmpty());
        assertTrue(runtime.maxObservedInFlight() <= 1, "never more events than slots");
    }
}
