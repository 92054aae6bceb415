package io.tasker.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.internal.Json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a handler knows about the step it runs: the seed's {@code StepContext}.
 *
 * <p>Built from the foundation's step event ({@link #fromEventJson}) or by hand in tests ({@link #builder()}).
 * Untyped accessors return plain Java values ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}, {@code null}); typed accessors map to any class or {@link TypeRef} Jackson can bind,
 * records included. Instances are immutable and safe to share.
 */
public final class StepContext {

    private final ObjectNode event;
    private final String handlerName;

    private StepContext(ObjectNode event, String handlerName) {
        this.event = event;
        this.handlerName = handlerName;
    }

    /** The seed's {@code fromFfiEvent}: parses a {@code poll_step_events} payload. */
    public static StepContext fromEventJson(String eventJson) {
        JsonNode node = Json.parse(eventJson);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("A step event must be a JSON object");
        }
        return fromEvent(object);
    }

    /** Wraps an already parsed step event. The node must not be modified afterwards. */
    public static StepContext fromEvent(ObjectNode event) {
        return new StepContext(event, event.path("step_definition").path("handler").path("callable").asText(""));
    }

    /** A builder for hand-made contexts (unit tests of a single handler). */
    public static Builder builder() {
        return new Builder();
    }

    // ---- identity ----

    public String getEventId() {
        return event.path("event_id").asText(null);
    }

    public String getTaskUuid() {
        return event.path("task_uuid").asText(null);
    }

    public String getStepUuid() {
        return event.path("step_uuid").asText(null);
    }

    /** The per-dispatch correlation id (not the task's; see {@link #getTaskCorrelationId()}). */
    public String getCorrelationId() {
        return event.path("correlation_id").asText(null);
    }

    /** The task's stable correlation id. */
    public String getTaskCorrelationId() {
        return event.path("task_correlation_id").asText(null);
    }

    /** The handler callable this execution was routed by. */
    public String getHandlerName() {
        return handlerName;
    }

    /** The concrete step name (for batch workers, e.g. {@code process_batch_001}). */
    public String getStepName() {
        return event.path("workflow_step").path("name").asText(null);
    }

    /** The template step the step was created from (equal to {@link #getStepName()} except for batch workers). */
    public String getTemplateStepName() {
        return event.path("workflow_step").path("template_step_name").asText(getStepName());
    }

    public String getTaskName() {
        return event.path("task").path("name").asText(null);
    }

    public String getNamespace() {
        return event.path("task").path("namespace").asText(null);
    }

    public String getTaskVersion() {
        return event.path("task").path("version").asText(null);
    }

    /** The whole raw event as plain Java values. */
    public Map<String, Object> getEvent() {
        return asMap(event);
    }

    // ---- task input (task.context) ----

    /** The task context: the input the task was created with. */
    public Map<String, Object> getInputData() {
        return asMap(event.path("task").path("context"));
    }

    /** {@code inputData[key]}, or {@code null}. */
    public Object getInput(String key) {
        return plain(event.path("task").path("context").get(key));
    }

    public <T> T getInput(String key, Class<T> type) {
        return convert(event.path("task").path("context").get(key), type);
    }

    public <T> T getInput(String key, TypeRef<T> type) {
        return convert(event.path("task").path("context").get(key), type);
    }

    /** The seed's {@code getInputOr}: the default only when the key is absent. */
    @SuppressWarnings("unchecked")
    public <T> T getInputOr(String key, T defaultValue) {
        JsonNode node = event.path("task").path("context").get(key);
        if (node == null) {
            return defaultValue;
        }
        return defaultValue == null ? (T) plain(node) : (T) convert(node, defaultValue.getClass());
    }

    /** The whole task context bound to a record or POJO. */
    public <T> T getInputAs(Class<T> type) {
        return convert(event.path("task").path("context"), type);
    }

    // ---- step config (handler.initialization) ----

    public Map<String, Object> getStepConfig() {
        return asMap(event.path("step_definition").path("handler").path("initialization"));
    }

    public Object getConfig(String key) {
        return plain(event.path("step_definition").path("handler").path("initialization").get(key));
    }

    public <T> T getConfig(String key, Class<T> type) {
        return convert(event.path("step_definition").path("handler").path("initialization").get(key), type);
    }

    // ---- step inputs (workflow_step.inputs: batch cursors live here) ----

    public Map<String, Object> getStepInputs() {
        return asMap(event.path("workflow_step").path("inputs"));
    }

    public Object getStepInput(String key) {
        return plain(event.path("workflow_step").path("inputs").get(key));
    }

    public <T> T getStepInput(String key, Class<T> type) {
        return convert(event.path("workflow_step").path("inputs").get(key), type);
    }

    // ---- dependency results ----

    /** The raw map: step name to {@code {step_uuid, success, result, status, error}}. */
    public Map<String, Object> getDependencyResults() {
        return asMap(event.path("dependency_results"));
    }

    /** The dependency's {@code result} value (unwrapped), or {@code null} when there is no such dependency. */
    public Object getDependencyResult(String stepName) {
        return plain(unwrap(event.path("dependency_results").get(stepName)));
    }

    public <T> T getDependencyResult(String stepName, Class<T> type) {
        return convert(unwrap(event.path("dependency_results").get(stepName)), type);
    }

    public <T> T getDependencyResult(String stepName, TypeRef<T> type) {
        return convert(unwrap(event.path("dependency_results").get(stepName)), type);
    }

    /** Walks into the unwrapped result; {@code null} when the path breaks. */
    public Object getDependencyField(String stepName, String... path) {
        JsonNode node = unwrap(event.path("dependency_results").get(stepName));
        for (String segment : path) {
            if (node == null) {
                return null;
            }
            node = node.isArray() && isIndex(segment) ? node.get(Integer.parseInt(segment)) : node.get(segment);
        }
        return plain(node);
    }

    public Set<String> getDependencyResultKeys() {
        Set<String> keys = new LinkedHashSet<>();
        event.path("dependency_results").fieldNames().forEachRemaining(keys::add);
        return Collections.unmodifiableSet(keys);
    }

    /** Unwrapped results of every dependency whose name starts with {@code prefix}, skipping nulls (batch aggregation). */
    public List<Object> getAllDependencyResults(String prefix) {
        List<Object> out = new ArrayList<>();
        event.path("dependency_results").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix)) {
                JsonNode value = unwrap(e.getValue());
                if (value != null && !value.isNull()) {
                    out.add(plain(value));
                }
            }
        });
        return out;
    }

    public <T> List<T> getAllDependencyResults(String prefix, Class<T> type) {
        List<T> out = new ArrayList<>();
        event.path("dependency_results").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix)) {
                JsonNode value = unwrap(e.getValue());
                if (value != null && !value.isNull()) {
                    out.add(convert(value, type));
                }
            }
        });
        return out;
    }

    // ---- retries ----

    /** Earlier executions of this step: 0 on the first run. */
    public int getRetryCount() {
        return event.path("workflow_step").path("attempts").asInt(0);
    }

    public int getMaxRetries() {
        return event.path("workflow_step").path("max_attempts").asInt(3);
    }

    public boolean isRetry() {
        return getRetryCount() > 0;
    }

    public boolean isLastRetry() {
        return getRetryCount() >= getMaxRetries() - 1;
    }

    // ---- checkpoint ----

    /** {@code workflow_step.checkpoint}, or {@code null}. */
    public Map<String, Object> getCheckpoint() {
        JsonNode cp = event.path("workflow_step").get("checkpoint");
        return cp == null || cp.isNull() ? null : asMap(cp);
    }

    public Object getCheckpointCursor() {
        return plain(event.path("workflow_step").path("checkpoint").get("cursor"));
    }

    public <T> T getCheckpointCursor(Class<T> type) {
        return convert(event.path("workflow_step").path("checkpoint").get("cursor"), type);
    }

    public long getCheckpointItemsProcessed() {
        return event.path("workflow_step").path("checkpoint").path("items_processed").asLong(0);
    }

    public Object getAccumulatedResults() {
        return plain(event.path("workflow_step").path("checkpoint").get("accumulated_results"));
    }

    public <T> T getAccumulatedResults(Class<T> type) {
        return convert(event.path("workflow_step").path("checkpoint").get("accumulated_results"), type);
    }

    public boolean hasCheckpoint() {
        JsonNode cursor = event.path("workflow_step").path("checkpoint").get("cursor");
        return cursor != null && !cursor.isNull();
    }

    @Override
    public String toString() {
        return "StepContext[" + getStepName() + " of task " + getTaskUuid() + ", handler " + handlerName + "]";
    }

    // ---- helpers ----

    private static JsonNode unwrap(JsonNode entry) {
        if (entry != null && entry.isObject() && entry.has("result")) {
            return entry.get("result");
        }
        return entry;
    }

    private static boolean isIndex(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Json.MAPPER.convertValue(node, Object.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(Json.MAPPER.convertValue(node, LinkedHashMap.class));
    }

    private static <T> T convert(JsonNode node, Class<T> type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Json.MAPPER.convertValue(node, type);
    }

    private static <T> T convert(JsonNode node, TypeRef<T> type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Json.MAPPER.convertValue(node, Json.MAPPER.getTypeFactory().constructType(type.type()));
    }

    /**
     * Builds a context by hand, in the shape of a real step event, so code under test sees exactly what the
     * worker would give it. Unset identifiers get fresh UUIDs.
     */
    public static final class Builder {
        private final ObjectNode event = JsonNodeFactory.instance.objectNode();
        private final ObjectNode task = event.putObject("task");
        private final ObjectNode step = event.putObject("workflow_step");
        private final ObjectNode definition = event.putObject("step_definition");
        private final ObjectNode handler = definition.putObject("handler");
        private final ObjectNode dependencies = event.putObject("dependency_results");

        private Builder() {
            String taskUuid = java.util.UUID.randomUUID().toString();
            String stepUuid = java.util.UUID.randomUUID().toString();
            event.put("event_id", java.util.UUID.randomUUID().toString());
            event.put("task_uuid", taskUuid);
            event.put("step_uuid", stepUuid);
            event.put("correlation_id", java.util.UUID.randomUUID().toString());
            event.put("task_correlation_id", java.util.UUID.randomUUID().toString());
            task.put("task_uuid", taskUuid);
            task.put("name", "test_task");
            task.put("namespace", "default");
            task.put("version", "1.0.0");
            task.putObject("context");
            step.put("workflow_step_uuid", stepUuid);
            step.put("task_uuid", taskUuid);
            step.put("name", "test_step");
            step.put("template_step_name", "test_step");
            step.put("attempts", 0);
            step.put("max_attempts", 3);
            step.put("retryable", true);
            step.putNull("inputs");
            step.putNull("checkpoint");
            definition.put("name", "test_step");
            definition.putArray("dependencies");
            handler.put("callable", "test_handler");
            handler.putObject("initialization");
        }

        public Builder taskUuid(String uuid) {
            event.put("task_uuid", uuid);
            task.put("task_uuid", uuid);
            step.put("task_uuid", uuid);
            return this;
        }

        public Builder stepUuid(String uuid) {
            event.put("step_uuid", uuid);
            step.put("workflow_step_uuid", uuid);
            return this;
        }

        public Builder correlationId(String id) {
            event.put("correlation_id", id);
            return this;
        }

        public Builder handlerName(String name) {
            handler.put("callable", Objects.requireNonNull(name));
            return this;
        }

        public Builder stepName(String name) {
            step.put("name", name);
            step.put("template_step_name", name);
            definition.put("name", name);
            return this;
        }

        public Builder task(String namespace, String name, String version) {
            task.put("namespace", namespace);
            task.put("name", name);
            task.put("version", version);
            return this;
        }

        /** The task context ({@code getInput}). */
        public Builder inputData(Map<String, ?> context) {
            task.set("context", Json.MAPPER.valueToTree(context));
            return this;
        }

        public Builder input(String key, Object value) {
            ((ObjectNode) task.get("context")).set(key, Json.MAPPER.valueToTree(value));
            return this;
        }

        /** {@code handler.initialization} ({@code getConfig}). */
        public Builder stepConfig(Map<String, ?> config) {
            handler.set("initialization", Json.MAPPER.valueToTree(config));
            return this;
        }

        /** {@code workflow_step.inputs} ({@code getStepInputs}), e.g. a batch cursor. */
        public Builder stepInputs(Map<String, ?> inputs) {
            step.set("inputs", Json.MAPPER.valueToTree(inputs));
            return this;
        }

        /** Adds a successful dependency result, as the foundation would deliver it. */
        public Builder dependencyResult(String stepName, Object result) {
            ObjectNode dep = dependencies.putObject(stepName);
            dep.put("step_uuid", java.util.UUID.randomUUID().toString());
            dep.put("success", true);
            dep.set("result", Json.MAPPER.valueToTree(result));
            dep.put("status", "completed");
            dep.putNull("error");
            return this;
        }

        public Builder retryCount(int attempts) {
            step.put("attempts", attempts);
            return this;
        }

        public Builder maxRetries(int maxAttempts) {
            step.put("max_attempts", maxAttempts);
            return this;
        }

        /** A checkpoint as a resumed batch worker sees it. */
        public Builder checkpoint(Object cursor, long itemsProcessed, Object accumulatedResults) {
            ObjectNode cp = step.putObject("checkpoint");
            cp.set("cursor", Json.MAPPER.valueToTree(cursor));
            cp.put("items_processed", itemsProcessed);
            cp.set("accumulated_results", Json.MAPPER.valueToTree(accumulatedResults));
            return this;
        }

        public StepContext build() {
            return fromEvent(event.deepCopy());
        }
    }
}
