package io.tasker.worker.internal.registry;

import java.util.Collection;
import java.util.Optional;

/** Handlers that come from somewhere other than programmatic registration (CDI beans). */
public interface HandlerSource {

    HandlerSource NONE = new HandlerSource() {
        @Override
        public Optional<Registration> find(String name) {
            return Optional.empty();
        }

        @Override
        public Collection<Registration> all() {
            return java.util.List.of();
        }
    };

    Optional<Registration> find(String name);

    Collection<Registration> all();
}
