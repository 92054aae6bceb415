package io.tasker.worker.api;

/**
 * A delay the handler asks the orchestrator to wait before retrying, sent as
 * {@code orchestration_metadata.backoff_hint}.
 *
 * @param type         why the delay is requested
 * @param delaySeconds how long to wait, in whole seconds
 * @param context      free text, may be {@code null}
 */
public record BackoffHint(Type type, int delaySeconds, String context) {

    public BackoffHint {
        if (type == null) {
            throw new IllegalArgumentException("type is required");
        }
        if (delaySeconds < 0) {
            throw new IllegalArgumentException("delaySeconds must be >= 0");
        }
    }

    /** The foundation's variant names (PascalCase on the wire). */
    public enum Type {
        SERVER_REQUESTED("ServerRequested"),
        RATE_LIMIT("RateLimit"),
        SERVICE_UNAVAILABLE("ServiceUnavailable"),
        CUSTOM("Custom");

        private final String wireValue;

        Type(String wireValue) {
            this.wireValue = wireValue;
        }

        public String value() {
            return wireValue;
        }
    }
}
