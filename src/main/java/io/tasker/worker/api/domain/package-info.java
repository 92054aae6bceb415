/**
 * Domain events: business events the engine fires after a step completes (declared with {@code publishes_events} in
 * a template). {@link io.tasker.worker.api.domain.DomainEventSubscriber} beans receive the in-process ones
 * ({@code fast}/{@code broadcast}); {@link io.tasker.worker.api.domain.DomainEventPublisher} beans shape them
 * first. Both are discovered as CDI beans and can also be registered through
 * {@link io.tasker.worker.api.domain.PublisherRegistry} and {@link io.tasker.worker.api.domain.SubscriberRegistry}.
 */
package io.tasker.worker.api.domain;
