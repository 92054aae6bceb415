/**
 * Structured logging for handlers: {@link io.tasker.worker.api.logging.TaskerLog} (the TypeScript worker's {@code logInfo} and
 * friends, {@code createLogger}) and the {@link io.tasker.worker.api.logging.LogSink} extension point. Lines carry
 * the running step's identifiers automatically.
 */
package io.tasker.worker.api.logging;
