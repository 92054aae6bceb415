package io.tasker.worker.testing;

import static io.tasker.worker.testing.ResultAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.RetryableStepException;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.events.StepExecutionFailed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Event-form handlers without a container: alone through {@link HandlerTester#runObserver}, and through the real
 * runtime and engine in a {@link TaskerTestEnvironment}, where the bean form's guarantees (one outcome, exceptions
 * and timeouts as failures, per-handler caps) hold for them too.
 */
class ObserverHandlersTest {

    static class Steps {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();

        void echo(@Observes @StepHandler("obs.echo") StepExecution step) {
            step.complete(Map.of("said", step.context().getInput("text")));
        }

        void silent(@Observes @StepHandler("obs.silent") StepExecution step) {
            // returns without an outcome
        }

        void twice(@Observes @StepHandler("obs.twice") StepExecution step) {
            step.complete("one");
            step.complete("two");
        }

        void io(@Observes @StepHandler("obs.io") StepExecution step) throws IOException {
            throw new IOException("disk gone");
        }

        void flaky(@Observes @StepHandler("obs.flaky") StepExecution step) {
            throw new RetryableStepException("try later");
        }

        void hang(@Observes @StepHandler("obs.hang") StepExecution step) throws InterruptedException {
            new CountDownLatch(1).await();
        }

        void capped(@Observes @StepHandler("obs.capped") StepExecution step) throws InterruptedException {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            Thread.sleep(30);
            running.decrementAndGet();
            step.complete(now);
        }
    }

    static class NoName {
        void any(@Observes StepExecution step) {}
    }

    static class Async {
        void later(@ObservesAsync @StepHandler("x") StepExecution step) {}
    }

    @Test
    void aloneTheyReportAsTheWorkerWould() {
        Steps steps = new Steps();
        assertThat(HandlerTester.runObserver(
                        steps,
                        HandlerTester.context()
                                .handlerName("obs.echo")
                                .input("text", "hi")
                                .build()))
                .isSuccess()
                .hasResultAt("said", "hi");
        assertThat(HandlerTester.runObserver(
                        steps, HandlerTester.context().handlerName("obs.silent").build()))
                .isRetryable()
                .hasErrorType(ErrorType.HANDLER_ERROR)
                .hasErrorMessageContaining("returned without an outcome")
                .hasErrorMessageContaining(Steps.class.getName() + ".silent");
        assertThat(HandlerTester.runObserver(
                        steps, HandlerTester.context().handlerName("obs.twice").build()))
                .isRetryable()
                .hasErrorMessageContaining(IllegalStateException.class.getName())
                .hasErrorMessageContaining("already has an outcome");
        assertThat(HandlerTester.runObserver(
                        steps, HandlerTester.context().handlerName("obs.io").build()))
                .isRetryable()
                .hasErrorMessage("java.io.IOException: disk gone");
        assertThat(HandlerTester.runObserver(
                        steps, HandlerTester.context().handlerName("obs.flaky").build()))
                .isRetryable()
                .hasErrorType("retryable_error")
                .hasErrorMessage("try later");
        assertThrows(
                IllegalArgumentException.class,
                () -> HandlerTester.runObserver(
                        steps, HandlerTester.context().handlerName("obs.none").build()));
    }

    @Test
    void malformedObserversAreRefused() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskerTestEnvironment.builder().observer(new NoName()))
                .getMessage()
                .contains("must name its handler"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskerTestEnvironment.builder().observer(new Async()))
                .getMessage()
                .contains("synchronous"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskerTestEnvironment.builder().observer(new Object()))
                .getMessage()
                .contains("has no @Observes"));
    }

    private static final String TEMPLATE = """
            ---
            name: observed
            namespace_name: kit_tests
            version: 1.0.0
            steps:
              - name: only
                handler:
                  callable: ${callable}
                dependencies: []
                retry:
                  retryable: false
            """;

    @Test
    void throughTheEngineTheBeanFormsGuaranteesHold() {
        Steps steps = new Steps();
        try (TaskerTestEnvironment env = TaskerTestEnvironment.builder()
                .templateYaml(
                        "echo.yaml", TEMPLATE.replace("${callable}", "obs.echo").replace("observed", "observed_echo"))
                .templateYaml(
                        "silent.yaml",
                        TEMPLATE.replace("${callable}", "obs.silent").replace("observed", "observed_silent"))
                .templateYaml(
                        "hang.yaml", TEMPLATE.replace("${callable}", "obs.hang").replace("observed", "observed_hang"))
                .templateYaml(
                        "capped.yaml",
                        TEMPLATE.replace("${callable}", "obs.capped").replace("observed", "observed_capped"))
                .observer(steps)
                .setting("tasker.worker.handler-timeout-ms", "300")
                .setting("tasker.worker.handler-concurrency.obs.capped", "1")
                .timeout(Duration.ofSeconds(20))
                .build()) {
            assertEquals(7, env.handlers().handlerCount());
            assertEquals(
                    Steps.class.getName(), env.handlers().listHandlers().get(0).className());

            TaskRun echo = env.run("kit_tests", "observed_echo", Map.of("text", "hi"));
            assertTrue(echo.isComplete(), echo.toString());
            assertEquals("hi", echo.step("only").resultAt("said"));

            StepRun silent = env.run("kit_tests", "observed_silent", Map.of()).step("only");
            assertEquals("handler_error", silent.errorType());
            assertTrue(silent.errorMessage().contains("returned without an outcome"), silent.errorMessage());

            StepRun hung = env.run("kit_tests", "observed_hang", Map.of()).step("only");
            assertEquals("timeout", hung.errorType(), hung.toString());

            String[] tasks = new String[4];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = env.start("kit_tests", "observed_capped", "1.0.0", Map.of("i", i));
            }
            for (String task : tasks) {
                assertTrue(env.await(task, Duration.ofSeconds(20)).isComplete());
            }
            assertEquals(1, steps.maxRunning.get(), "the per-handler cap applies to observers");
            assertTrue(env.lifecycleEvents().stream()
                    .anyMatch(e -> e instanceof StepExecutionFailed f
                            && f.handlerName().equals("obs.silent")));
        }
    }
}
