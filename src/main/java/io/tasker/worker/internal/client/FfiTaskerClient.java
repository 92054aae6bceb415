package io.tasker.worker.internal.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.client.TaskRequest;
import io.tasker.worker.api.client.TaskerClient;
import io.tasker.worker.api.client.TaskerClientException;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.ffi.TaskerFfi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link TaskerClient} over the eight {@code client_*} functions. The only place that unwraps the client envelopes
 * (docs/ffi-contract.md §4.6): {@code success:true} gives {@code data}; anything else throws {@link EngineClientException}.
 *
 * <p>The {@code …Json} methods return {@code data} as a tree, untouched, for the HTTP API's pass-through; the
 * interface methods convert it to plain Java. Malformed ids are refused here before the engine sees them.
 */
@ApplicationScoped
public class FfiTaskerClient implements TaskerClient {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {};

    private Supplier<TaskerFfi> engine;

    /** For the CDI proxy only. */
    protected FfiTaskerClient() {}

    @Inject
    public FfiTaskerClient(TaskerWorker worker) {
        this(() -> worker.runtime() == null ? null : worker.runtime().engine());
    }

    /** Over any engine source (a plain JVM, tests); the supplier may return {@code null} before startup. */
    public FfiTaskerClient(Supplier<TaskerFfi> engine) {
        this.engine = engine;
    }

    // ---- plain Java ----

    @Override
    public Map<String, Object> createTask(TaskRequest request) {
        return map(createTaskJson(Json.write(request.toMap())));
    }

    @Override
    public Map<String, Object> getTask(String taskUuid) {
        return map(getTaskJson(taskUuid));
    }

    @Override
    public Map<String, Object> listTasks(Integer limit, Integer offset, String namespace, String status) {
        return map(listTasksJson(limit, offset, namespace, status));
    }

    @Override
    public Map<String, Object> cancelTask(String taskUuid) {
        return map(cancelTaskJson(taskUuid));
    }

    @Override
    public List<Map<String, Object>> listTaskSteps(String taskUuid) {
        return list(listTaskStepsJson(taskUuid));
    }

    @Override
    public Map<String, Object> getStep(String taskUuid, String stepUuid) {
        return map(getStepJson(taskUuid, stepUuid));
    }

    @Override
    public List<Map<String, Object>> getStepAuditHistory(String taskUuid, String stepUuid) {
        return list(getStepAuditHistoryJson(taskUuid, stepUuid));
    }

    @Override
    public Map<String, Object> healthCheck() {
        return map(unwrap(ffi().clientHealthCheck()));
    }

    // ---- engine data as a tree ----

    /** Creates a task from the engine's {@code TaskRequest} JSON document. */
    public JsonNode createTaskJson(String requestJson) {
        return unwrap(ffi().clientCreateTask(requestJson));
    }

    public JsonNode getTaskJson(String taskUuid) {
        return unwrap(ffi().clientGetTask(uuid(taskUuid, "taskUuid")));
    }

    public JsonNode listTasksJson(Integer limit, Integer offset, String namespace, String status) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("limit", limit == null ? 50 : limit);
        params.put("offset", offset == null ? 0 : offset);
        if (namespace != null && !namespace.isBlank()) {
            params.put("namespace", namespace);
        }
        if (status != null && !status.isBlank()) {
            params.put("status", status);
        }
        return unwrap(ffi().clientListTasks(Json.write(params)));
    }

    public JsonNode cancelTaskJson(String taskUuid) {
        return unwrap(ffi().clientCancelTask(uuid(taskUuid, "taskUuid")));
    }

    public JsonNode listTaskStepsJson(String taskUuid) {
        return unwrap(ffi().clientListTaskSteps(uuid(taskUuid, "taskUuid")));
    }

    public JsonNode getStepJson(String taskUuid, String stepUuid) {
        return unwrap(ffi().clientGetStep(uuid(taskUuid, "taskUuid"), uuid(stepUuid, "stepUuid")));
    }

    public JsonNode getStepAuditHistoryJson(String taskUuid, String stepUuid) {
        return unwrap(ffi().clientGetStepAuditHistory(uuid(taskUuid, "taskUuid"), uuid(stepUuid, "stepUuid")));
    }

    /** Unwraps one envelope: {@code data} (JSON null when absent), else the engine's error. */
    public static JsonNode unwrap(String envelope) {
        if (envelope == null) {
            throw new EngineClientException(
                    "The engine returned nothing", null, EngineClientException.Kind.BAD_RESPONSE);
        }
        JsonNode node;
        try {
            node = Json.parse(envelope);
        } catch (IllegalArgumentException e) {
            throw new EngineClientException(
                    "The engine returned malformed JSON", null, EngineClientException.Kind.BAD_RESPONSE);
        }
        if (node.path("success").asBoolean(false)) {
            JsonNode data = node.get("data");
            return data == null ? Json.MAPPER.nullNode() : data;
        }
        JsonNode recoverable = node.get("recoverable");
        throw new EngineClientException(
                node.path("error").asText("Unknown engine error"),
                recoverable == null || recoverable.isNull() ? null : recoverable.asBoolean(),
                EngineClientException.Kind.ENGINE);
    }

    private TaskerFfi ffi() {
        TaskerFfi ffi = engine.get();
        if (ffi == null) {
            throw new EngineClientException("The worker is not started", null, EngineClientException.Kind.NOT_STARTED);
        }
        return ffi;
    }

    private static final java.util.regex.Pattern UUID_TEXT = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The id in lower case, or a non-recoverable failure naming the parameter. */
    static String uuid(String value, String name) {
        if (value == null || !UUID_TEXT.matcher(value).matches()) {
            throw new TaskerClientException("'" + name + "' must be a UUID, got '" + value + "'", false);
        }
        return value.toLowerCase();
    }

    private static Map<String, Object> map(JsonNode data) {
        if (!data.isObject()) {
            throw new EngineClientException(
                    "Expected a JSON object from the engine, got " + data.getNodeType(),
                    null,
                    EngineClientException.Kind.BAD_RESPONSE);
        }
        return Json.MAPPER.convertValue(data, MAP);
    }

    private static List<Map<String, Object>> list(JsonNode data) {
        if (!data.isArray()) {
            throw new EngineClientException(
                    "Expected a JSON array from the engine, got " + data.getNodeType(),
                    null,
                    EngineClientException.Kind.BAD_RESPONSE);
        }
        return Json.MAPPER.convertValue(data, LIST);
    }
}
