package io.tasker.worker.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test class against one {@link TaskerTestEnvironment}, started before the first test and closed after
 * the last (also when tests fail), with the class's {@link TestHandler} fields registered as handlers. Test methods,
 * constructors and {@code @BeforeAll}/{@code @BeforeEach} methods may declare a {@link TaskerTestEnvironment} or a
 * {@link io.tasker.worker.api.client.TaskerClient} parameter.
 *
 * <pre>{@code
 * @TaskerTest(templates = "tasker/templates/diamond_workflow.yaml")
 * class DiamondTest {
 *     @TestHandler DiamondStart start;                  // created with its no-arg constructor, named by @StepHandler
 *     @TestHandler BranchB b;
 *     @TestHandler BranchC c;
 *     @TestHandler("diamond_end") DiamondEnd end;       // or named explicitly
 *
 *     @Test void joinsBothBranches(TaskerTestEnvironment env) {
 *         TaskRun run = env.run("examples", "diamond_workflow", Map.of("value", 3));
 *         assertEquals(26, run.step("diamond_end").resultAt("result"));
 *     }
 * }
 * }</pre>
 *
 * <p>The engine is process-wide, so only one such class runs at a time (JUnit's default, sequential execution);
 * {@code @Nested} classes share the environment of their enclosing class.
 *
 * @see TaskerExtension
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TaskerExtension.class)
public @interface TaskerTest {

    /** Templates to load: classpath resources (e.g. {@code tasker/templates/x.yaml}) or file/directory paths. */
    String[] templates() default {};

    /** Also load every template bundled with the worker. */
    boolean bundledTemplates() default false;

    /** Worker settings over the test defaults, each {@code "key=value"} (e.g. {@code "tasker.worker.max-concurrency=8"}). */
    String[] settings() default {};
}
