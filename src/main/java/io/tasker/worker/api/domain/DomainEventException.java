package io.tasker.worker.api.domain;

import java.util.List;

/** A misuse of the publisher or subscriber registries; {@link #kind()} says which. */
public class DomainEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The TypeScript worker's error classes. */
    public enum Kind {
        /** The registry is frozen ({@code RegistryFrozenError}). */
        REGISTRY_FROZEN,
        /** The name is taken ({@code DuplicatePublisherError}). */
        DUPLICATE_PUBLISHER,
        /** No publisher has the name ({@code PublisherNotFoundError}). */
        PUBLISHER_NOT_FOUND,
        /** Required publishers are missing ({@code PublisherValidationError}). */
        PUBLISHER_VALIDATION
    }

    private final Kind kind;
    private final transient List<String> names;

    public DomainEventException(Kind kind, String message, List<String> names) {
        super(message);
        this.kind = kind;
        this.names = names == null ? List.of() : List.copyOf(names);
    }

    public Kind kind() {
        return kind;
    }

    /** The publisher names involved. */
    public List<String> names() {
        return names;
    }
}
