/**
 * The worker runtime, free of CDI: lifecycle, the poll loop, execution slots and per-handler caps, result serialisation, templates.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.runtime;
