/**
 * The step lifecycle as CDI events (received, started, completed, failed, completion sent, checkpoint yield sent), all
 * of type {@link io.tasker.worker.api.events.StepLifecycleEvent}. Any bean may {@code @Observes} them (on the
 * handler's thread: keep it quick) or {@code @ObservesAsync}; an event type nobody observes is never built.
 */
package io.tasker.worker.api.events;
