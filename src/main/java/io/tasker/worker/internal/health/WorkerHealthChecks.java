package io.tasker.worker.internal.health;

import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import io.tasker.worker.internal.runtime.WorkerState;
import io.tasker.worker.internal.runtime.WorkerStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health checks of the worker. Liveness uses only local facts (never the engine's reachability), and
 * readiness goes down first when a shutdown begins, before in-flight handlers drain.
 */
public final class WorkerHealthChecks {

    private WorkerHealthChecks() {}

    static HealthCheckResponseBuilder withData(HealthCheckResponseBuilder b, TaskerWorker worker) {
        WorkerRuntime rt = worker.runtime();
        if (rt == null) {
            String error = worker.startupError();
            return error == null
                    ? b.withData("state", "starting")
                    : b.withData("state", "failed").withData("error", error);
        }
        return withData(b, rt.status(), worker);
    }

    private static HealthCheckResponseBuilder withData(
            HealthCheckResponseBuilder b, WorkerStatus s, TaskerWorker worker) {
        return b.withData("state", s.state().wireName())
                .withData("worker_id", String.valueOf(s.workerId()))
                .withData("library_path", s.libraryPath())
                .withData("library_version", String.valueOf(worker.libraryVersion()))
                .withData("handler_count", worker.registry().handlerCount())
                .withData("slots_used", s.slotsUsed())
                .withData("slots_total", s.slotsTotal())
                .withData("handlers_in_flight", Json.write(s.handlersInFlight()))
                .withData("handler_limits", Json.write(s.handlerLimits()))
                .withData("pending", s.dispatch().pendingCount())
                .withData("starvation_detected", s.dispatch().starvationDetected())
                .withData("paused", s.paused());
    }

    /** UP once the library is loaded, the engine bootstrapped and the handlers registered. */
    @org.eclipse.microprofile.health.Startup
    @ApplicationScoped
    public static class Started implements HealthCheck {
        @Inject
        TaskerWorker worker;

        @Override
        public HealthCheckResponse call() {
            WorkerRuntime rt = worker.runtime();
            boolean up = rt != null && rt.state() != WorkerState.CREATED && rt.state() != WorkerState.FAILED;
            return withData(HealthCheckResponse.named("tasker-worker-started").status(up), worker)
                    .build();
        }
    }

    /** DOWN only when the poll tick has stalled or every slot is stuck past the handler timeout. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        TaskerWorker worker;

        @Override
        public HealthCheckResponse call() {
            WorkerRuntime rt = worker.runtime();
            boolean up = true;
            HealthCheckResponseBuilder b = HealthCheckResponse.named("tasker-worker-live");
            if (rt == null) {
                return withData(b.status(true), worker).build();
            }
            WorkerStatus s = rt.status();
            if (s.state() == WorkerState.RUNNING || s.state() == WorkerState.DRAINING) {
                long allowed = Math.max(5000, 100 * rt.settings().pollIntervalMs());
                up = s.msSinceLastTick() <= allowed && !s.dispatcherWedged();
                b.withData("ms_since_last_tick", s.msSinceLastTick())
                        .withData("dispatcher_wedged", s.dispatcherWedged());
            }
            return withData(b.status(up), s, worker).build();
        }
    }

    /** UP only while running, not draining, and the engine reports its worker running (docs/ffi-contract.md R10: a null poll says nothing). */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        TaskerWorker worker;

        @Override
        public HealthCheckResponse call() {
            WorkerRuntime rt = worker.runtime();
            boolean running = rt != null && rt.state() == WorkerState.RUNNING;
            boolean engineRunning = running && rt.engine().isWorkerRunning();
            return withData(HealthCheckResponse.named("tasker-worker-ready").status(running && engineRunning), worker)
                    .withData("draining", rt != null && rt.isDraining())
                    .withData("engine_running", engineRunning)
                    .build();
        }
    }
}
