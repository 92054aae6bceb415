package io.tasker.worker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.testing.HandlerTester;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One outcome per execution, whichever way it is reported; none after the worker has read it. */
class StepExecutionTest {

    private static StepExecution execution() {
        return new StepExecution(
                HandlerTester.context().handlerName("charge").stepUuid("s-1").build());
    }

    @Test
    void eachReportFormGivesItsResult() {
        StepExecution ok = execution();
        ok.complete(Map.of("charged", 5), Map.of("gateway", "test"));
        StepHandlerResult r = ok.outcome().orElseThrow();
        assertTrue(r.isSuccess());
        assertEquals(Map.of("charged", 5), r.getResult());
        assertEquals(Map.of("gateway", "test"), r.getMetadata());

        StepExecution failed = execution();
        failed.fail("declined", ErrorType.PERMANENT_ERROR, false);
        assertEquals("permanent_error", failed.outcome().orElseThrow().getErrorType());

        StepExecution thrown = execution();
        thrown.fail(new PermanentStepException("bad card"));
        assertFalse(thrown.outcome().orElseThrow().isRetryable());

        StepExecution yielded = execution();
        yielded.yieldCheckpoint(40, 40, Map.of("sum", 7));
        assertTrue(yielded.outcome().orElseThrow().isCheckpointYield());
    }

    @Test
    void aSecondReportIsAnErrorAndTheFirstStands() {
        StepExecution step = execution();
        step.complete("first");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> step.fail("late", ErrorType.TIMEOUT, true));
        assertTrue(
                e.getMessage().contains("already has an outcome")
                        && e.getMessage().contains("s-1"),
                e.getMessage());
        assertEquals("first", step.outcome().orElseThrow().getResult());
    }

    @Test
    void readingTheOutcomeClosesTheExecution() {
        StepExecution step = execution();
        assertFalse(step.isFinished());
        assertTrue(step.outcome().isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.complete("too late"));
        assertTrue(e.getMessage().contains("already returned"), e.getMessage());
        assertTrue(step.outcome().isEmpty());
    }

    @Test
    void aPreparedResultIsNotMistakenForAResultValue() {
        StepExecution step = execution();
        Object prepared = StepHandlerResult.failure("x");
        assertThrows(IllegalArgumentException.class, () -> step.complete(prepared));
        step.finish((StepHandlerResult) prepared);
        assertTrue(step.outcome().orElseThrow().isFailure());
    }
}
