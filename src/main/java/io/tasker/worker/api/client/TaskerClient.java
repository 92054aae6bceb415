package io.tasker.worker.api.client;

import java.util.List;
import java.util.Map;

/**
 * Tasks and steps through the foundation's client functions: the TypeScript worker's {@code TaskerClient}. Inject it in any bean
 * ({@code @Inject TaskerClient client}); it works once the worker has started.
 *
 * <p>Results are the engine's JSON as plain Java ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, {@code null}). Every failure, including "not found", throws {@link TaskerClientException} with the
 * engine's message and whether a retry may help. Calls block on the engine: never call from a step handler's hot
 * loop expecting it to be free, and never from the worker's poll thread (the worker never does).
 */
public interface TaskerClient {

    /** Creates a task; returns the task ({@code task_uuid}, {@code status}, …). */
    Map<String, Object> createTask(TaskRequest request);

    /** One task with its steps' readiness. */
    Map<String, Object> getTask(String taskUuid);

    /**
     * Lists tasks: {@code {tasks: […], pagination: {…}}}.
     *
     * @param limit 1–1000 (the engine's default 50 when {@code null})
     * @param offset from 0 ({@code null} = 0)
     * @param namespace only this namespace, or {@code null}
     * @param status only this status, or {@code null}
     */
    Map<String, Object> listTasks(Integer limit, Integer offset, String namespace, String status);

    /** Cancels a task: {@code {cancelled: true}}. */
    Map<String, Object> cancelTask(String taskUuid);

    /** The task's steps, each with its stored {@code results}. */
    List<Map<String, Object>> listTaskSteps(String taskUuid);

    /** One step with its stored {@code results}. */
    Map<String, Object> getStep(String taskUuid, String stepUuid);

    /** The step's state transitions, oldest first. */
    List<Map<String, Object>> getStepAuditHistory(String taskUuid, String stepUuid);

    /** The client side of the foundation: {@code {healthy: true}}. */
    Map<String, Object> healthCheck();
}
