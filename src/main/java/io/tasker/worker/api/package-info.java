/**
 * The worker's public API for handler authors: what a step handler implements ({@link
 * io.tasker.worker.api.ExecutableHandler}, qualified {@link io.tasker.worker.api.StepHandler}), what it reads ({@link
 * io.tasker.worker.api.StepContext}), what it returns or throws ({@link io.tasker.worker.api.StepHandlerResult},
 * {@link io.tasker.worker.api.StepFailureException}), how it wraps every call ({@link
 * io.tasker.worker.api.StepInterceptor}), and the registry of handlers. Subpackages: {@code handler} (HTTP, decision and
 * batch handler kinds), {@code client} (creating and reading tasks), {@code events} (step lifecycle CDI events),
 * {@code domain} (domain event publishers and subscribers), {@code logging} (structured step logs).
 *
 * <p>Code written against these packages and {@code io.tasker.worker.testing} needs nothing from {@code
 * io.tasker.worker.internal}.
 */
package io.tasker.worker.api;
