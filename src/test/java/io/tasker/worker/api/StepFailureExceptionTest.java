package io.tasker.worker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.internal.config.ConfigurationException;
import io.tasker.worker.internal.ffi.NativeLibraryException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures built by name, their copies, and the one root of startup problems. */
class StepFailureExceptionTest {

    @Test
    void theBuilderNamesEveryPart() {
        IOException cause = new IOException("disk");
        StepFailureException e = PermanentStepException.builder("quantity must be at least 1")
                .errorType(ErrorType.VALIDATION_ERROR)
                .errorCode("INVALID_QUANTITY")
                .metadata("field", "quantity")
                .metadata(Map.of("min", 1))
                .cause(cause)
                .build();
        assertInstanceOf(PermanentStepException.class, e);
        assertFalse(e.isRetryable());
        assertEquals("quantity must be at least 1", e.getMessage());
        assertEquals("validation_error", e.getErrorType());
        assertEquals("INVALID_QUANTITY", e.getErrorCode());
        assertEquals(List.of("field", "min"), List.copyOf(e.getMetadata().keySet()), "entries keep their order");
        assertSame(cause, e.getCause());
    }

    @Test
    void retryabilityPicksTheClassAndTheDefaultType() {
        StepFailureException retryable = StepFailureException.builder("busy").build();
        assertInstanceOf(RetryableStepException.class, retryable);
        assertEquals("retryable_error", retryable.getErrorType());
        StepFailureException permanent =
                RetryableStepException.builder("no").retryable(false).build();
        assertInstanceOf(PermanentStepException.class, permanent);
        assertEquals("permanent_error", permanent.getErrorType());
        assertEquals(
                "rate_limited",
                StepFailureException.builder("slow")
                        .errorType("rate_limited")
                        .build()
                        .getErrorType());
    }

    @Test
    void toResultGivesTheSameFailureWithoutAnException() {
        StepHandlerResult built = PermanentStepException.builder("Card declined")
                .errorCode("CARD_DECLINED")
                .metadata("decline_code", "insufficient_funds")
                .toResult();
        StepHandlerResult thrown = PermanentStepException.builder("Card declined")
                .errorCode("CARD_DECLINED")
                .metadata("decline_code", "insufficient_funds")
                .build()
                .toResult();
        assertEquals(thrown, built);
        assertTrue(built.isFailure());
        assertFalse(built.isRetryable());
        assertEquals("CARD_DECLINED", built.getErrorCode());
    }

    @Test
    void withCopiesChangeOneThingAndKeepTheRest() {
        IOException cause = new IOException("io");
        RetryableStepException original = new RetryableStepException("later", cause);
        StepFailureException coded = original.withErrorCode("UPSTREAM");
        assertInstanceOf(RetryableStepException.class, coded);
        assertEquals("UPSTREAM", coded.getErrorCode());
        assertEquals("later", coded.getMessage());
        assertSame(cause, coded.getCause());
        assertNull(original.getErrorCode(), "the original is unchanged");

        StepFailureException more = coded.withMetadata(Map.of("host", "a")).withErrorType(ErrorType.TIMEOUT);
        assertEquals(Map.of("host", "a"), more.getMetadata());
        assertEquals("timeout", more.getErrorType());
        assertEquals("UPSTREAM", more.getErrorCode());
    }

    @Test
    void startupProblemsShareOneRoot() {
        assertInstanceOf(WorkerStartupException.class, new ConfigurationException("bad key"));
        assertInstanceOf(WorkerStartupException.class, new NativeLibraryException("no library"));
    }
}
