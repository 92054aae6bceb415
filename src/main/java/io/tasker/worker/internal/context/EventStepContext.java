package io.tasker.worker.internal.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.Checkpoint;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepInfo;
import io.tasker.worker.api.TypeRef;
import io.tasker.worker.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link StepContext} and {@link StepInfo} read from the step event's JSON on each call, converting only what is asked. */
final class EventStepContext implements StepContext, StepInfo {

    private final ObjectNode event;
    private final String handlerName;

    EventStepContext(ObjectNode event) {
        this.event = event;
        this.handlerName =
                event.path("step_definition").path("handler").path("callable").asText("");
    }

    @Override
    public StepInfo info() {
        return this;
    }

    @Override
    public Optional<Checkpoint> checkpoint() {
        JsonNode cp = event.path("workflow_step").get("checkpoint");
        if (cp == null || !cp.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new Checkpoint(
                plain(cp.get("cursor")),
                Math.max(0, cp.path("items_processed").asLong(0)),
                plain(cp.get("accumulated_results"))));
    }

    // ---- StepInfo ----

    @Override
    public String getEventId() {
        return event.path("event_id").asText(null);
    }

    @Override
    public String getTaskUuid() {
        return event.path("task_uuid").asText(null);
    }

    @Override
    public String getStepUuid() {
        return event.path("step_uuid").asText(null);
    }

    @Override
    public String getCorrelationId() {
        return event.path("correlation_id").asText(null);
    }

    @Override
    public String getTaskCorrelationId() {
        return event.path("task_correlation_id").asText(null);
    }

    @Override
    public String getHandlerName() {
        return handlerName;
    }

    @Override
    public String getStepName() {
        return event.path("workflow_step").path("name").asText(null);
    }

    @Override
    public String getTemplateStepName() {
        return event.path("workflow_step").path("template_step_name").asText(getStepName());
    }

    @Override
    public String getTaskName() {
        return event.path("task").path("name").asText(null);
    }

    @Override
    public String getNamespace() {
        return event.path("task").path("namespace").asText(null);
    }

    @Override
    public String getTaskVersion() {
        return event.path("task").path("version").asText(null);
    }

    @Override
    public int getRetryCount() {
        return event.path("workflow_step").path("attempts").asInt(0);
    }

    @Override
    public int getMaxRetries() {
        return event.path("workflow_step").path("max_attempts").asInt(3);
    }

    // ---- task input ----

    @Override
    public Map<String, Object> getEvent() {
        return asMap(event);
    }

    @Override
    public Map<String, Object> getInputData() {
        return asMap(context());
    }

    @Override
    public Object getInput(String key) {
        return plain(context().get(key));
    }

    @Override
    public <T> T getInput(String key, Class<T> type) {
        return convert(context().get(key), type);
    }

    @Override
    public <T> T getInput(String key, TypeRef<T> type) {
        return convert(context().get(key), type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getInputOr(String key, T defaultValue) {
        JsonNode node = context().get(key);
        if (node == null) {
            return defaultValue;
        }
        return defaultValue == null ? (T) plain(node) : (T) convert(node, defaultValue.getClass());
    }

    @Override
    public <T> T getInputAs(Class<T> type) {
        return convert(context(), type);
    }

    // ---- step config ----

    @Override
    public Map<String, Object> getStepConfig() {
        return asMap(initialization());
    }

    @Override
    public Object getConfig(String key) {
        return plain(initialization().get(key));
    }

    @Override
    public <T> T getConfig(String key, Class<T> type) {
        return convert(initialization().get(key), type);
    }

    // ---- step inputs ----

    @Override
    public Map<String, Object> getStepInputs() {
        return asMap(stepInputs());
    }

    @Override
    public Object getStepInput(String key) {
        return plain(stepInputs().get(key));
    }

    @Override
    public <T> T getStepInput(String key, Class<T> type) {
        return convert(stepInputs().get(key), type);
    }

    // ---- dependency results ----

    @Override
    public Map<String, Object> getDependencyResults() {
        return asMap(dependencies());
    }

    @Override
    public Object getDependencyResult(String stepName) {
        return plain(unwrap(dependencies().get(stepName)));
    }

    @Override
    public <T> T getDependencyResult(String stepName, Class<T> type) {
        return convert(unwrap(dependencies().get(stepName)), type);
    }

    @Override
    public <T> T getDependencyResult(String stepName, TypeRef<T> type) {
        return convert(unwrap(dependencies().get(stepName)), type);
    }

    @Override
    public Object getDependencyField(String stepName, String... path) {
        JsonNode node = unwrap(dependencies().get(stepName));
        for (String segment : path) {
            if (node == null) {
                return null;
            }
            node = node.isArray() && isIndex(segment) ? node.get(Integer.parseInt(segment)) : node.get(segment);
        }
        return plain(node);
    }

    @Override
    public Set<String> getDependencyResultKeys() {
        Set<String> keys = new LinkedHashSet<>();
        dependencies().fieldNames().forEachRemaining(keys::add);
        return Collections.unmodifiableSet(keys);
    }

    @Override
    public List<Object> getAllDependencyResults(String prefix) {
        List<Object> out = new ArrayList<>();
        dependencies().fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix)) {
                JsonNode value = unwrap(e.getValue());
                if (value != null && !value.isNull()) {
                    out.add(plain(value));
                }
            }
        });
        return out;
    }

    @Override
    public <T> List<T> getAllDependencyResults(String prefix, Class<T> type) {
        List<T> out = new ArrayList<>();
        dependencies().fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(prefix)) {
                JsonNode value = unwrap(e.getValue());
                if (value != null && !value.isNull()) {
                    out.add(convert(value, type));
                }
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "StepContext[" + getStepName() + " of task " + getTaskUuid() + ", handler " + handlerName + "]";
    }

    // ---- helpers ----

    private JsonNode context() {
        return event.path("task").path("context");
    }

    private JsonNode initialization() {
        return event.path("step_definition").path("handler").path("initialization");
    }

    private JsonNode stepInputs() {
        return event.path("workflow_step").path("inputs");
    }

    private JsonNode dependencies() {
        return event.path("dependency_results");
    }

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
}
