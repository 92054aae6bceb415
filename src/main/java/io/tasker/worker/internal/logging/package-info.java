/**
 * Structured step logging: the per-step log context, field rendering, and the engine log sink.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.logging;
