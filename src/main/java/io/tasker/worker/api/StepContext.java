package io.tasker.worker.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a handler reads about the step it runs: the task's input, the step's configuration and inputs, the results of
 * the steps it depends on; {@link #info()} for the step's identity and attempts, {@link #checkpoint()} for the
 * progress a batch worker saved.
 *
 * <p>The worker builds it from the engine's step event; tests build one with {@code HandlerTester.context()}. Untyped
 * accessors return plain Java values ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean},
 * {@code null}); typed accessors map to any class or {@link TypeRef} Jackson can bind, records included. Instances
 * are immutable and safe to share.
 */
public interface StepContext {

    /** Which step, task and handler this is, and how many attempts it has had. */
    StepInfo info();

    /**
     * The progress saved by the last checkpoint yield of this step ({@code workflow_step.checkpoint}), when it has
     * one: a batch worker resumes from its cursor.
     */
    Optional<Checkpoint> checkpoint();

    // ---- task input (task.context) ----

    /** The task context: the input the task was created with. */
    Map<String, Object> getInputData();

    /** {@code inputData[key]}, or {@code null}. */
    Object getInput(String key);

    <T> T getInput(String key, Class<T> type);

    <T> T getInput(String key, TypeRef<T> type);

    /** The TypeScript worker's {@code getInputOr}: the default only when the key is absent. */
    <T> T getInputOr(String key, T defaultValue);

    /** The whole task context bound to a record or POJO. */
    <T> T getInputAs(Class<T> type);

    // ---- step config (handler.initialization) ----

    Map<String, Object> getStepConfig();

    Object getConfig(String key);

    <T> T getConfig(String key, Class<T> type);

    // ---- step inputs (workflow_step.inputs: batch cursors live here) ----

    Map<String, Object> getStepInputs();

    Object getStepInput(String key);

    <T> T getStepInput(String key, Class<T> type);

    // ---- dependency results ----

    /** The raw map: step name to {@code {step_uuid, success, result, status, error}}. */
    Map<String, Object> getDependencyResults();

    /** The dependency's {@code result} value (unwrapped), or {@code null} when there is no such dependency. */
    Object getDependencyResult(String stepName);

    <T> T getDependencyResult(String stepName, Class<T> type);

    <T> T getDependencyResult(String stepName, TypeRef<T> type);

    /** Walks into the unwrapped result (numeric segments index lists); {@code null} when the path breaks. */
    Object getDependencyField(String stepName, String... path);

    Set<String> getDependencyResultKeys();

    /** Unwrapped results of every dependency whose name starts with {@code prefix}, skipping nulls (batch aggregation). */
    List<Object> getAllDependencyResults(String prefix);

    <T> List<T> getAllDependencyResults(String prefix, Class<T> type);

    /** The whole raw step event as plain Java values (for troubleshooting; prefer the accessors). */
    Map<String, Object> getEvent();
}
