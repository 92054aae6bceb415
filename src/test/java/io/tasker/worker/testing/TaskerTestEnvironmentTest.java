package io.tasker.worker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepExecutionCompleted;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The in-process harness itself: inline templates, handler factories, one environment per JVM at a time. */
class TaskerTestEnvironmentTest {

    private static final String TEMPLATE = """
            ---
            name: echo_task
            namespace_name: kit_tests
            version: 1.0.0
            steps:
              - name: echo
                handler:
                  callable: kit.echo
                dependencies: []
              - name: shout
                handler:
                  callable: kit.shout
                dependencies: [echo]
            """;

    @Test
    void runsAnInlineTemplateAndAllowsOnlyOneEnvironmentAtATime() {
        AtomicInteger created = new AtomicInteger();
        try (TaskerTestEnvironment env = TaskerTestEnvironment.builder()
                .templateYaml("echo.yaml", TEMPLATE)
                .handler("kit.echo", ctx -> StepHandlerResult.success(Map.of("said", ctx.getInput("text"))))
                .handler("kit.shout", () -> {
                    created.incrementAndGet();
                    return ctx -> StepHandlerResult.success(Map.of(
                            "shouted",
                            String.valueOf(ctx.getDependencyField("echo", "said"))
                                    .toUpperCase()));
                })
                .timeout(Duration.ofSeconds(10))
                .build()) {

            assertThrows(
                    IllegalStateException.class,
                    () -> TaskerTestEnvironment.builder()
                            .templateYaml("x", TEMPLATE)
                            .build());

            TaskRun run = env.run("kit_tests", "echo_task", Map.of("text", "hi"));
            assertTrue(run.isComplete());
            assertFalse(run.isFailed());
            assertEquals("HI", run.result("shout") instanceof Map<?, ?> m ? m.get("shouted") : null);
            assertEquals("hi", run.step("echo").resultAt("said"));
            assertTrue(run.step("echo").succeeded());
            assertEquals(1, run.step("shout").attempts());
            assertEquals(java.util.List.of("echo", "shout"), run.stepNames());
            assertThrows(NoSuchElementException.class, () -> run.step("nope"));
            assertEquals(1, created.get()); // a factory handler is created per execution
            assertEquals(
                    2,
                    env.lifecycleEvents().stream()
                            .filter(e -> e instanceof StepExecutionCompleted
                                    && e.taskUuid().equals(run.taskUuid()))
                            .count());

            String second = env.start("kit_tests", "echo_task", "1.0.0", Map.of("text", "again"));
            assertEquals(
                    "AGAIN",
                    env.await(second, Duration.ofSeconds(10)).step("shout").resultAt("shouted"));
        }
        // closed: the next environment may open
        try (TaskerTestEnvironment again = TaskerTestEnvironment.builder()
                .templateYaml("echo.yaml", TEMPLATE)
                .build()) {
            assertEquals(0, again.handlers().handlerCount());
        }
    }

    @Test
    void unknownTemplatesFailClearly() {
        try (TaskerTestEnvironment env = TaskerTestEnvironment.builder()
                .templateYaml("echo.yaml", TEMPLATE)
                .build()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> env.start("kit_tests", "missing", "1.0.0", Map.of()));
            assertTrue(e.getMessage().contains("create task kit_tests/missing"), e.getMessage());
        }
    }
}
