package io.tasker.worker.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.context.StepContexts;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds a {@link StepContext} by hand, in the shape of a real step event, so code under test sees exactly what the
 * worker would give it: {@code HandlerTester.context().input("value", 3).build()}. Unset identifiers get fresh UUIDs;
 * the step starts at attempt 0 of 3 with empty input and no checkpoint. {@link #build()} may be called again after
 * further changes (each context is a copy).
 */
public final class StepContextBuilder {
    private final ObjectNode event = JsonNodeFactory.instance.objectNode();
    private final ObjectNode task = event.putObject("task");
    private final ObjectNode step = event.putObject("workflow_step");
    private final ObjectNode definition = event.putObject("step_definition");
    private final ObjectNode handler = definition.putObject("handler");
    private final ObjectNode dependencies = event.putObject("dependency_results");

    StepContextBuilder() {
        String taskUuid = UUID.randomUUID().toString();
        String stepUuid = UUID.randomUUID().toString();
        event.put("event_id", UUID.randomUUID().toString());
        event.put("task_uuid", taskUuid);
        event.put("step_uuid", stepUuid);
        event.put("correlation_id", UUID.randomUUID().toString());
        event.put("task_correlation_id", UUID.randomUUID().toString());
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

    public StepContextBuilder taskUuid(String uuid) {
        event.put("task_uuid", uuid);
        task.put("task_uuid", uuid);
        step.put("task_uuid", uuid);
        return this;
    }

    public StepContextBuilder stepUuid(String uuid) {
        event.put("step_uuid", uuid);
        step.put("workflow_step_uuid", uuid);
        return this;
    }

    public StepContextBuilder correlationId(String id) {
        event.put("correlation_id", id);
        return this;
    }

    public StepContextBuilder handlerName(String name) {
        handler.put("callable", Objects.requireNonNull(name));
        return this;
    }

    public StepContextBuilder stepName(String name) {
        step.put("name", name);
        step.put("template_step_name", name);
        definition.put("name", name);
        return this;
    }

    public StepContextBuilder task(String namespace, String name, String version) {
        task.put("namespace", namespace);
        task.put("name", name);
        task.put("version", version);
        return this;
    }

    /** The task context ({@code getInput}). */
    public StepContextBuilder inputData(Map<String, ?> context) {
        task.set("context", Json.MAPPER.valueToTree(context));
        return this;
    }

    public StepContextBuilder input(String key, Object value) {
        ((ObjectNode) task.get("context")).set(key, Json.MAPPER.valueToTree(value));
        return this;
    }

    /** {@code handler.initialization} ({@code getConfig}). */
    public StepContextBuilder stepConfig(Map<String, ?> config) {
        handler.set("initialization", Json.MAPPER.valueToTree(config));
        return this;
    }

    /** {@code workflow_step.inputs} ({@code getStepInputs}), e.g. a batch cursor. */
    public StepContextBuilder stepInputs(Map<String, ?> inputs) {
        step.set("inputs", Json.MAPPER.valueToTree(inputs));
        return this;
    }

    /** Adds a successful dependency result, as the foundation would deliver it. */
    public StepContextBuilder dependencyResult(String stepName, Object result) {
        ObjectNode dep = dependencies.putObject(stepName);
        dep.put("step_uuid", UUID.randomUUID().toString());
        dep.put("success", true);
        dep.set("result", Json.MAPPER.valueToTree(result));
        dep.put("status", "completed");
        dep.putNull("error");
        return this;
    }

    /** Earlier attempts ({@code info().getRetryCount()}). */
    public StepContextBuilder retryCount(int attempts) {
        step.put("attempts", attempts);
        return this;
    }

    public StepContextBuilder maxRetries(int maxAttempts) {
        step.put("max_attempts", maxAttempts);
        return this;
    }

    /** A checkpoint as a resumed batch worker sees it ({@code checkpoint()}). */
    public StepContextBuilder checkpoint(Object cursor, long itemsProcessed, Object accumulatedResults) {
        ObjectNode cp = step.putObject("checkpoint");
        cp.set("cursor", Json.MAPPER.valueToTree(cursor));
        cp.put("items_processed", itemsProcessed);
        cp.set("accumulated_results", Json.MAPPER.valueToTree(accumulatedResults));
        return this;
    }

    public StepContext build() {
        return StepContexts.fromEvent(event.deepCopy());
    }
}
