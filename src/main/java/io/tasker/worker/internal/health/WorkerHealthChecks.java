package io.tasker.worker.internal.health;

import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import io.tasker.worker.internal.runtime.WorkerState;
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

    private WorkerHealthChecks() {
    }

    static HealthCheckResponseBuilder withData(HealthCheckResponseBuilder b, TaskerWorker worker) {
        WorkerRuntime rt = worker.runtime();
        if (rt == null) {
            String error = worker.startupError();
            return error == null ? b.withData("state", "starting") : b.withData("state", "failed").withData("error", error);
        }
        WorkerRuntime.DispatchMetrics m = rt.lastMetrics();
        return b.withData("state", rt.state().wireName())
                .withData("worker_id", String.valueOf(rt.workerId()))
                .withData("library_path", rt.engine().path())
                .withData("library_version", String.valueOf(worker.libraryVersion()))
                .withData("handler_count", worker.registry().handlerCount())
                .withData("slots_used", rt.slotsUsed())
                .withData("slots_total", rt.slotsTotal())
                .withData("handlers_in_flight", Json.write(rt.inFlightByHandler()))
                .withData("handler_limits", Json.write(rt.handlerLimits()))
                .withData("pending", m.pendingCount())
                .withData("starvation_detected", m.starvationDetected())
                .withData("paused", rt.isPaused());
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
            return withData(HealthCheckResponse.named("tasker-worker-started").status(up), worker).build();
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
            if (rt != null && (rt.state() == WorkerState.RUNNING || rt.state() == WorkerState.DRAINING)) {
                long allowed = Math.max(5000, 100 * rt.settings().pollIntervalMs());
                long sinceTick = rt.millisSinceLastTick();
                boolean wedged = rt.isDispatcherWedged();
                up = sinceTick <= allowed && !wedged;
                b.withData("ms_since_last_tick", sinceTick).withData("dispatcher_wedged", wedged);
            }
            return withData(b.status(up), worker).build();
        }
    }

    /** UP only while running, not draining, and the engine reports its worker running (B12: a null poll says nothing). */
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
                    .withData("engine_running", engineRunning).build();
        }
    }
}
