/**
 * Specialised handler kinds, each as a base class and as a composable interface (the Java form of the seed's
 * mixins): {@link io.tasker.worker.api.handler.ApiHandler}/{@link io.tasker.worker.api.handler.ApiCapable} for HTTP
 * calls, {@link io.tasker.worker.api.handler.DecisionHandler}/{@link io.tasker.worker.api.handler.DecisionCapable}
 * for {@code decision} steps, {@link io.tasker.worker.api.handler.BatchableHandler}/
 * {@link io.tasker.worker.api.handler.BatchableCapable} for batch workflows. Interfaces combine freely:
 * {@code class X implements ExecutableHandler, ApiCapable, BatchableCapable}.
 */
package io.tasker.worker.api.handler;
