package io.tasker.worker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.examples.errors.FlakyInventoryHandler;
import io.tasker.worker.examples.errors.Payments;
import io.tasker.worker.examples.errors.ValidateOrderHandler;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A {@link TestHandler} field may hold a bean with event-form handlers: its observers are registered by name. */
@TaskerTest(templates = "tasker/templates/error_handling.yaml")
class TaskerExtensionObserverTest {

    @TestHandler
    ValidateOrderHandler validate;

    @TestHandler
    FlakyInventoryHandler inventory;

    @TestHandler
    Payments payments; // observes error_examples.charge_payment

    @Test
    void theObserverFieldHandlesItsStep(TaskerTestEnvironment env) {
        TaskRun run = env.run("error_examples", "order_with_errors", Map.of("quantity", 2, "succeed_on_attempt", 1));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(true, run.step("charge_payment").resultAt("charged"));
        assertEquals(2, run.step("charge_payment").resultAt("reserved"));
        assertEquals(3, env.handlers().handlerCount());
    }
}
