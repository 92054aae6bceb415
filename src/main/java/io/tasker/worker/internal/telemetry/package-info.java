/**
 * OpenTelemetry spans, counters and gauges of the worker, active only when MicroProfile Telemetry is present.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.telemetry;
