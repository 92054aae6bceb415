/**
 * The handler registry behind {@code HandlerRegistry}: programmatic and discovered registrations, method dispatch.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.registry;
