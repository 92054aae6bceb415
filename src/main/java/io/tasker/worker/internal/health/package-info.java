/**
 * MicroProfile Health checks (started, live, ready) over the worker's state.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.health;
