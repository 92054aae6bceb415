/**
 * Specialised handler kinds, each as a base class and as a composable interface (the Java form of the TypeScript worker's
 * mixins): {@link io.tasker.worker.api.handler.HttpHandler}/{@link io.tasker.worker.api.handler.HttpCapable} for HTTP
 * calls, {@link io.tasker.worker.api.handler.DecisionHandler}/{@link io.tasker.worker.api.handler.DecisionCapable}
 * for {@code decision} steps, {@link io.tasker.worker.api.handler.BatchableHandler}/
 * {@link io.tasker.worker.api.handler.BatchableCapable} for batch workflows. Interfaces combine freely:
 * {@code class X implements ExecutableHandler, HttpCapable, BatchableCapable}.
 */
package io.tasker.worker.api.handler;
