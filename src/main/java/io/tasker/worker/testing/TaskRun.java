package io.tasker.worker.testing;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A task run to its end by {@link TaskerTestEnvironment}: its final state and every step that exists.
 *
 * @param taskUuid the task's id
 * @param status   the final task state: {@code complete}, {@code error}, {@code blocked_by_failures}, …
 * @param task     the engine's task record
 * @param steps    every step, in the engine's order
 */
public record TaskRun(String taskUuid, String status, Map<String, Object> task, List<StepRun> steps) {

    public boolean isComplete() {
        return "complete".equals(status);
    }

    /** True when the task ended because a step failed for good. */
    public boolean isFailed() {
        return "error".equals(status) || "blocked_by_failures".equals(status);
    }

    /** The step with this concrete name. @throws NoSuchElementException when it does not exist */
    public StepRun step(String name) {
        return steps.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(
                        "No step '" + name + "' in task " + taskUuid + "; steps: " + stepNames()));
    }

    /** Whether a step with this name exists (decisions and batches create steps as they go). */
    public boolean hasStep(String name) {
        return steps.stream().anyMatch(s -> s.name().equals(name));
    }

    /** The handler result of a step. */
    public Object result(String stepName) {
        return step(stepName).result();
    }

    /** Every step name, sorted. */
    public List<String> stepNames() {
        return steps.stream().map(StepRun::name).sorted().toList();
    }

    /** The steps whose names start with {@code prefix} (batch workers), sorted by name. */
    public List<StepRun> stepsStartingWith(String prefix) {
        return steps.stream()
                .filter(s -> s.name().startsWith(prefix))
                .sorted(java.util.Comparator.comparing(StepRun::name))
                .toList();
    }
}
