package io.tasker.worker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.client.TaskerClient;
import io.tasker.worker.examples.BranchB;
import io.tasker.worker.examples.BranchC;
import io.tasker.worker.examples.DiamondEnd;
import io.tasker.worker.examples.DiamondStart;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TaskerTest}: one environment for the class, {@link TestHandler} fields registered, parameters injected. */
@TaskerTest(templates = "tasker/templates/diamond_workflow.yaml")
class TaskerExtensionTest {

    private static TaskerTestEnvironment startedForClass;

    @TestHandler
    DiamondStart start; // instance fields: created once, set into every test instance

    @TestHandler
    BranchB branchB;

    @TestHandler("branch_c")
    BranchC branchC; // named explicitly

    @TestHandler
    static DiamondEnd end = new DiamondEnd(); // a static field's own instance is registered as is

    @BeforeAll
    static void capture(TaskerTestEnvironment env) {
        startedForClass = env;
    }

    @Test
    void runsTheDiamondWithTheFieldHandlers(TaskerTestEnvironment env) {
        TaskRun run = env.run("examples", "diamond_workflow", Map.of("value", 3));
        assertTrue(run.isComplete(), run.status());
        assertEquals(26, run.step("diamond_end").resultAt("result"));
        assertEquals(9, run.step("diamond_start").resultAt("result"));
        assertSame(start, env.handlers().resolve("diamond_start").orElseThrow());
        assertSame(branchC, env.handlers().resolve("branch_c").orElseThrow());
        assertSame(end, env.handlers().resolve("diamond_end").orElseThrow());
    }

    @Test
    void sharesOneEnvironmentAcrossTheClass(TaskerTestEnvironment env, TaskerClient client) {
        assertSame(startedForClass, env);
        assertEquals(4, env.handlers().handlerCount());
        assertSame(branchB, env.handlers().resolve("branch_b").orElseThrow()); // same instance in this test instance
        String task = env.start("examples", "diamond_workflow", "1.0.0", Map.of("value", 1));
        assertTrue(env.await(task, java.time.Duration.ofSeconds(10)).isComplete());
        assertNotNull(client.getTask(task)); // the injected client talks to the same engine
    }
}
