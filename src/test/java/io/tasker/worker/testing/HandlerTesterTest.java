package io.tasker.worker.testing;

import static io.tasker.worker.testing.ResultAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.logging.StepLogContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerTesterTest {

    @Test
    void exceptionsBecomeResultsAsTheWorkerReportsThem() {
        assertThat(HandlerTester.run(
                        ctx -> {
                            throw new PermanentStepException("bad input");
                        },
                        HandlerTester.context().build()))
                .isNotRetryable()
                .hasErrorType("permanent_error")
                .hasErrorMessage("bad input");

        assertThat(HandlerTester.run(
                        ctx -> {
                            throw new RetryableStepException("later", new IOException("io"));
                        },
                        HandlerTester.context().build()))
                .isRetryable()
                .hasErrorType("retryable_error");

        StepHandlerResult r = HandlerTester.run(
                ctx -> {
                    throw new IllegalStateException("kaboom");
                },
                HandlerTester.context().build());
        assertThat(r)
                .isRetryable()
                .hasErrorType("handler_error")
                .hasErrorMessage("java.lang.IllegalStateException: kaboom")
                .hasMetadata("exception_class", "java.lang.IllegalStateException");
        assertTrue(r.getBacktrace().get(0).contains("IllegalStateException"));

        assertThat(HandlerTester.run(
                        ctx -> null, HandlerTester.context().handlerName("h").build()))
                .isRetryable()
                .hasErrorMessage("Handler 'h' returned no result");
    }

    @Test
    void theStepLogContextIsOpenWhileTheHandlerRuns() {
        String[] seen = new String[2];
        ExecutableHandler h = ctx -> {
            seen[0] = StepLogContext.current().stepUuid();
            seen[1] = StepLogContext.current().handlerName();
            return StepHandlerResult.success(Map.of());
        };
        HandlerTester.run(
                h,
                HandlerTester.context()
                        .stepUuid("s-9")
                        .handlerName("my_handler")
                        .build());
        assertEquals("s-9", seen[0]);
        assertEquals("my_handler", seen[1]);
        assertNull(StepLogContext.current());
    }

    @Test
    void runWithCheckpointsFeedsTheCursorBack() {
        ExecutableHandler counter = ctx -> {
            long cursor = ctx.checkpoint().map(c -> c.cursorAs(Long.class)).orElse(0L);
            return cursor < 3
                    ? StepHandlerResult.checkpoint(cursor + 1, cursor + 1, null)
                    : StepHandlerResult.success(Map.of("done_at", cursor));
        };
        List<StepHandlerResult> results = HandlerTester.runWithCheckpoints(counter, HandlerTester.context(), 5);
        assertEquals(4, results.size());
        assertThat(results.get(3)).isSuccess().hasResult(Map.of("done_at", 3));
        assertThrows(AssertionError.class, () -> HandlerTester.runWithCheckpoints(counter, HandlerTester.context(), 2));
    }

    @Test
    void assertionsFailWithTheResultInTheMessage() {
        StepHandlerResult ok = StepHandlerResult.success(Map.of("a", Map.of("b", List.of(1, 2))));
        assertThat(ok).isSuccess().hasResultAt("a.b.1", 2L).hasResultPath("a.b").hasNoResultPath("a.c");
        AssertionError e =
                assertThrows(AssertionError.class, () -> assertThat(ok).isFailure());
        assertTrue(e.getMessage().contains("\"success\":true"), e.getMessage());
        assertThrows(AssertionError.class, () -> assertThat(ok).hasResultAt("a.b.0", 5));
        assertThrows(AssertionError.class, () -> assertThat(ok).createsSteps("x"));
        assertThrows(
                AssertionError.class,
                () -> assertThat(StepHandlerResult.failure("f")).hasErrorType("timeout"));
        assertThrows(
                AssertionError.class,
                () -> assertThat(StepHandlerResult.checkpoint(1, 1, null)).isSuccess());
        assertTrue(ResultAssert.jsonEquals(1, 1.0));
        assertTrue(ResultAssert.jsonEquals(Map.of("x", 1L), Map.of("x", 1)));
    }
}
