package io.tasker.worker.api.domain;

import java.util.List;

/**
 * The publisher used when a template names none (or names one that is not registered): it passes the step's
 * result through unchanged. Always present in a {@link PublisherRegistry}.
 */
public class DefaultPublisher implements DomainEventPublisher {

    /** The reserved name {@code default}. */
    public static final String NAME = "default";

    @Override
    public String publisherName() {
        return NAME;
    }

    /** {@code ["*"]}: it stands in for every event. */
    @Override
    public List<String> publishesFor() {
        return List.of("*");
    }
}
