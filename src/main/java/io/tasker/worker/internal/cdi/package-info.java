/**
 * CDI wiring: the portable extension that finds {@code @StepHandler} beans and observers, the startup singleton, the injectable registry and the lifecycle event bridge.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.cdi;
