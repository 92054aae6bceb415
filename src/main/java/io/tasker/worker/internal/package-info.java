/**
 * The worker's implementation: the poll loop and execution slots, the JNA binding of the engine's C ABI, CDI wiring,
 * configuration, health, telemetry and logging plumbing.
 *
 * <p><b>No compatibility promise: do not use these packages from application code.</b> Everything here may change in
 * any release; the public API is {@code io.tasker.worker.api} and the test kit {@code io.tasker.worker.testing}.
 */
package io.tasker.worker.internal;
