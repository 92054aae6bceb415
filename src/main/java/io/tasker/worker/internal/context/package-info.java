/**
 * The step context handlers read, made from the engine's step event in one place ({@code StepContexts}).
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.context;
