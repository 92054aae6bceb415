package io.tasker.worker.api.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A task to create, with the TypeScript worker's client defaults: namespace {@code default}, version {@code 1.0.0}, context
 * {@code {}}, initiator {@value #DEFAULT_INITIATOR}, source system {@code tasker-core}, reason
 * {@code Task requested}, tags {@code []}, a random correlation id. {@code requested_at} is never sent: the engine
 * sets it (the TypeScript worker's ISO string with {@code Z} is refused by the real foundation).
 *
 * <pre>{@code TaskRequest.builder("order_flow").namespace("shop").context(Map.of("order", 7)).build()}</pre>
 */
public record TaskRequest(
        String name,
        String namespace,
        String version,
        Map<String, Object> context,
        String initiator,
        String sourceSystem,
        String reason,
        List<String> tags,
        Integer priority,
        UUID correlationId,
        UUID parentCorrelationId,
        String idempotencyKey,
        Map<String, Object> options) {

    public static final String DEFAULT_INITIATOR = "tasker-worker-jakarta";

    public TaskRequest {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (priority != null && (priority < -100 || priority > 100)) {
            throw new IllegalArgumentException("priority must be between -100 and 100, got " + priority);
        }
        namespace = namespace == null ? "default" : namespace;
        version = version == null ? "1.0.0" : version;
        context = context == null ? Map.of() : context;
        initiator = initiator == null ? DEFAULT_INITIATOR : initiator;
        sourceSystem = sourceSystem == null ? "tasker-core" : sourceSystem;
        reason = reason == null ? "Task requested" : reason;
        tags = tags == null ? List.of() : List.copyOf(tags);
        correlationId = correlationId == null ? UUID.randomUUID() : correlationId;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The engine's {@code TaskRequest} JSON document (docs/ffi-contract.md §5.9), without {@code requested_at}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("namespace", namespace);
        m.put("version", version);
        m.put("context", context);
        m.put("initiator", initiator);
        m.put("source_system", sourceSystem);
        m.put("reason", reason);
        m.put("tags", tags);
        if (priority != null) {
            m.put("priority", priority);
        }
        m.put("correlation_id", correlationId.toString());
        if (parentCorrelationId != null) {
            m.put("parent_correlation_id", parentCorrelationId.toString());
        }
        if (idempotencyKey != null) {
            m.put("idempotency_key", idempotencyKey);
        }
        if (options != null) {
            m.put("options", options);
        }
        return m;
    }

    public static final class Builder {
        private final String name;
        private String namespace;
        private String version;
        private Map<String, Object> context;
        private String initiator;
        private String sourceSystem;
        private String reason;
        private List<String> tags;
        private Integer priority;
        private UUID correlationId;
        private UUID parentCorrelationId;
        private String idempotencyKey;
        private Map<String, Object> options;

        private Builder(String name) {
            this.name = name;
        }

        public Builder namespace(String v) {
            this.namespace = v;
            return this;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Builder context(Map<String, Object> v) {
            this.context = v;
            return this;
        }

        public Builder initiator(String v) {
            this.initiator = v;
            return this;
        }

        public Builder sourceSystem(String v) {
            this.sourceSystem = v;
            return this;
        }

        public Builder reason(String v) {
            this.reason = v;
            return this;
        }

        public Builder tags(List<String> v) {
            this.tags = v;
            return this;
        }

        public Builder priority(Integer v) {
            this.priority = v;
            return this;
        }

        public Builder correlationId(UUID v) {
            this.correlationId = v;
            return this;
        }

        public Builder parentCorrelationId(UUID v) {
            this.parentCorrelationId = v;
            return this;
        }

        public Builder idempotencyKey(String v) {
            this.idempotencyKey = v;
            return this;
        }

        public Builder options(Map<String, Object> v) {
            this.options = v;
            return this;
        }

        public TaskRequest build() {
            return new TaskRequest(
                    name,
                    namespace,
                    version,
                    context,
                    initiator,
                    sourceSystem,
                    reason,
                    tags,
                    priority,
                    correlationId,
                    parentCorrelationId,
                    idempotencyKey,
                    options);
        }
    }
}
