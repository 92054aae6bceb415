/**
 * Example: error handling. {@link io.tasker.worker.examples.errors.ValidateOrderHandler} rejects bad input with a
 * {@link io.tasker.worker.api.PermanentStepException} (no retry: the task fails at once);
 * {@link io.tasker.worker.examples.errors.FlakyInventoryHandler} throws a
 * {@link io.tasker.worker.api.RetryableStepException} until its attempt {@code succeed_on_attempt} (the
 * orchestrator retries it up to {@code retry.max_attempts}); {@link io.tasker.worker.examples.errors.Payments}
 * is a handler in the event form (a CDI observer of the step execution) that reports failure results instead of
 * throwing, choosing retryability per cause;
 * {@link io.tasker.worker.examples.errors.UnavailableInventoryHandler} always fails retryably, so its retries run out.
 * Templates: {@code tasker/templates/error_handling.yaml}, {@code tasker/templates/retry_exhaustion.yaml}.
 */
package io.tasker.worker.examples.errors;
