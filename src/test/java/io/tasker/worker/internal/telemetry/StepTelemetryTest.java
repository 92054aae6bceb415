package io.tasker.worker.internal.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.testing.HandlerTester;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The step observers without a container (no-op OpenTelemetry): attribute values stay bounded, attribute sets are
 * reused, and no per-event state outlives its event. What is really exported is {@code TelemetryCatalogueIT}'s job.
 */
class StepTelemetryTest {

    private static final AttributeKey<String> HANDLER = AttributeKey.stringKey(WorkerMetric.Attr.HANDLER);
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey(WorkerMetric.Attr.ERROR_TYPE);

    @Test
    void handlerNamesAreCappedAndAttributeSetsReused() {
        AttributeSets sets = new AttributeSets();
        for (int i = 0; i < AttributeSets.MAX_HANDLERS; i++) {
            assertEquals("h" + i, sets.handler("h" + i).get(HANDLER));
        }
        assertEquals(AttributeSets.OTHER, sets.handler("one-too-many").get(HANDLER));
        assertEquals("h7", sets.handler("h7").get(HANDLER), "names seen before the cap keep their value");
        assertSame(sets.handler("h7"), sets.handler("h7"), "no allocation once a handler has been seen");
        assertEquals(AttributeSets.OTHER, sets.handler(null).get(HANDLER));
        assertEquals(AttributeSets.OTHER, sets.handler("").get(HANDLER));

        Attributes failure = sets.failure("h1", "timeout", true);
        assertEquals(3, failure.size());
        assertEquals("timeout", failure.get(ERROR_TYPE));
        assertSame(failure, sets.failure("h1", "timeout", true));
        assertEquals("success", sets.outcome("h1", true).get(AttributeKey.stringKey(WorkerMetric.Attr.OUTCOME)));
    }

    @Test
    void errorTypesAreTheKnownSet() {
        for (ErrorType t : ErrorType.values()) {
            assertEquals(t.value(), StepTelemetry.boundedErrorType(t.value()));
        }
        assertEquals(AttributeSets.OTHER, StepTelemetry.boundedErrorType("some_custom_error_" + System.nanoTime()));
        assertEquals("handler_error", StepTelemetry.boundedErrorType(null));
    }

    @Test
    void everyOutcomeReleasesItsEventState() {
        StepTelemetry t = new StepTelemetry(OpenTelemetry.noop());
        Instant now = Instant.now();

        t.onReceived(new StepExecutionReceived("e1", "task", "step1", "h", "s1", now));
        t.onStarted(
                new StepExecutionStarted("e1", "task", "step1", "h", "s1", 1, now.plusMillis(5), "corr", "task-corr"));
        t.onCompleted(new StepExecutionCompleted("e1", "task", "step1", "h", StepHandlerResult.success(Map.of()), 3));
        t.onCompletionSent(new StepCompletionSent("e1", "task", "step1", "h", true, true));

        t.onReceived(new StepExecutionReceived("e2", "task", "step2", "h", "s2", now));
        t.onStarted(new StepExecutionStarted("e2", "task", "step2", "h", "s2", 2, now, "corr", "task-corr"));
        t.onFailed(new StepExecutionFailed(
                "e2", "task", "step2", "h", StepHandlerResult.failure("no", ErrorType.PERMANENT_ERROR, false), 4));
        t.onCompletionSent(new StepCompletionSent("e2", "task", "step2", "h", false, false));

        // timed out before a thread picked it up: failed without ever starting
        t.onReceived(new StepExecutionReceived("e3", "task", "step3", "h", "s3", now));
        t.onFailed(new StepExecutionFailed(
                "e3", "task", "step3", "h", StepHandlerResult.failure("late", ErrorType.TIMEOUT, true), 25_000));

        t.onReceived(new StepExecutionReceived("e4", "task", "step4", "h", "s4", now));
        t.onStarted(new StepExecutionStarted("e4", "task", "step4", "h", "s4", 1, now, "corr", "task-corr"));
        t.onCheckpoint(new StepCheckpointYieldSent("e4", "task", "step4", "h", 10, 10, true));

        assertEquals(0, t.tracked(), "state left behind after every event finished");
    }

    @Test
    void eventsThatNeverFinishCannotGrowWithoutBound() {
        StepTelemetry t = new StepTelemetry(OpenTelemetry.noop());
        Instant now = Instant.now();
        for (int i = 0; i < StepTelemetry.MAX_TRACKED + 500; i++) {
            t.onReceived(new StepExecutionReceived("r" + i, "task", "step", "h", "s", now));
            t.onStarted(new StepExecutionStarted("s" + i, "task", "step", "h", "s", 1, now, "corr", "task-corr"));
        }
        assertTrue(t.tracked() <= 2 * StepTelemetry.MAX_TRACKED, "tracked " + t.tracked());
    }

    @Test
    void observersNeverThrow() {
        StepTelemetry t = new StepTelemetry(OpenTelemetry.noop());
        t.onReceived(new StepExecutionReceived(null, null, null, null, null, null));
        t.onStarted(new StepExecutionStarted(null, null, null, null, null, 0, null, "corr", "task-corr"));
        t.onCompleted(new StepExecutionCompleted(null, null, null, null, null, 0));
        t.onFailed(new StepExecutionFailed(null, null, null, null, null, 0));
        t.onCompletionSent(new StepCompletionSent(null, null, null, null, false, false));
        t.onCheckpoint(new StepCheckpointYieldSent(null, null, null, null, null, 0, false));
        assertEquals(0, t.tracked());
    }

    @Test
    void theSpanInterceptorPassesResultsAndExceptionsThrough() throws Exception {
        StepSpanInterceptor spans = new StepSpanInterceptor(OpenTelemetry.noop());
        StepContext ctx = HandlerTester.context().build();
        StepHandlerResult ok = StepHandlerResult.success(Map.of("x", 1));
        assertSame(ok, spans.around(ctx, () -> ok));
        StepHandlerResult failed = StepHandlerResult.failure("no", ErrorType.VALIDATION_ERROR, false);
        assertSame(failed, spans.around(ctx, () -> failed));
        PermanentStepException permanent = new PermanentStepException("bad input");
        assertSame(
                permanent,
                assertThrows(
                        PermanentStepException.class,
                        () -> spans.around(ctx, () -> {
                            throw permanent;
                        })));
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(
                boom,
                assertThrows(
                        IllegalStateException.class,
                        () -> spans.around(ctx, () -> {
                            throw boom;
                        })));
        assertEquals(null, spans.around(ctx, () -> null));
    }
}
