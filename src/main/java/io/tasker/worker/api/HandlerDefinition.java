package io.tasker.worker.api;

import java.util.Map;

/**
 * The template's {@code handler} block as the event carries it.
 *
 * @param callable       the handler name
 * @param method         the method to dispatch to; {@code null} means {@code call}
 * @param resolver       a resolver hint, may be {@code null}
 * @param initialization static configuration (never {@code null})
 */
public record HandlerDefinition(String callable, String method, String resolver, Map<String, Object> initialization) {

    public HandlerDefinition {
        initialization = initialization == null ? Map.of() : initialization;
    }

    public static HandlerDefinition of(String callable) {
        return new HandlerDefinition(callable, null, null, Map.of());
    }

    /** {@code method}, or {@code "call"} when unset. */
    public String effectiveMethod() {
        return method == null || method.isEmpty() ? "call" : method;
    }

    public boolean usesMethodDispatch() {
        return method != null && !method.isEmpty() && !"call".equals(method);
    }

    public boolean hasResolverHint() {
        return resolver != null && !resolver.isEmpty();
    }
}
