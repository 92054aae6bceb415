/**
 * The {@code TaskerClient} implementation over the engine's {@code client_*} functions.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.client;
