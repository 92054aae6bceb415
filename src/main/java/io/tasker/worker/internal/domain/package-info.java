/**
 * Delivery of the engine's in-process domain events to publisher and subscriber beans.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.domain;
