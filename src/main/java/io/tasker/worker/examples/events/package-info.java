/**
 * Example: domain events. The template's {@code place_order} step declares {@code order.placed} with
 * {@code delivery_mode: fast} and {@code publisher: event_examples.order_publisher}; after the step completes the
 * engine fires the event in-process, {@link io.tasker.worker.examples.events.OrderEventPublisher} reshapes its
 * payload, and {@link io.tasker.worker.examples.events.OrderEventSubscriber} (subscribed to {@code order.*})
 * receives it. Template: {@code tasker/templates/domain_events.yaml}.
 */
package io.tasker.worker.examples.events;
