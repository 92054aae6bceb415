/**
 * Creating and reading tasks from application code: inject {@link io.tasker.worker.api.client.TaskerClient} and build
 * requests with {@link io.tasker.worker.api.client.TaskRequest#builder(String)}. The same client serves the worker's
 * HTTP API and the test kit.
 */
package io.tasker.worker.api.client;
