package io.tasker.worker.web;

import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import io.tasker.worker.internal.runtime.WorkerStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** The worker's own state: status, handlers, and pausing/resuming the poller. */
@Path("worker")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {

    @Inject
    TaskerWorker worker;

    @GET
    public Response status() {
        return RestResponses.ok(snapshot());
    }

    @GET
    @Path("handlers")
    public Response handlers() {
        return RestResponses.ok(worker.registry().listHandlers());
    }

    @POST
    @Path("pause")
    public Response pause() {
        runtime().pause();
        return RestResponses.ok(snapshot());
    }

    @POST
    @Path("resume")
    public Response resume() {
        runtime().resume();
        return RestResponses.ok(snapshot());
    }

    private Map<String, Object> snapshot() {
        return render(
                runtime().status(), worker.libraryVersion(), worker.registry().handlerCount());
    }

    /** The status as JSON keys; {@code slots_used}/{@code slots_total} are the slots (no nested duplicate). */
    static Map<String, Object> render(WorkerStatus s, String libraryVersion, int handlerCount) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state().wireName());
        m.put("worker_id", s.workerId());
        m.put("library_path", s.libraryPath());
        m.put("library_origin", s.libraryOrigin());
        m.put("slots_used", s.slotsUsed());
        m.put("slots_total", s.slotsTotal());
        m.put("in_flight", s.inFlight());
        m.put("handlers_in_flight", s.handlersInFlight());
        m.put("handler_limits", s.handlerLimits());
        m.put("pending", s.dispatch().pendingCount());
        m.put("starvation_detected", s.dispatch().starvationDetected());
        m.put("starving_events", s.dispatch().starvingEventCount());
        m.put("polls", s.polls());
        m.put("events_received", s.pollsHit());
        m.put("succeeded", s.succeeded());
        m.put("failed", s.failed());
        m.put("paused", s.paused());
        m.put("draining", s.draining());
        m.put("ms_since_last_tick", s.msSinceLastTick());
        m.put("library_version", libraryVersion);
        m.put("handler_count", handlerCount);
        return m;
    }

    private WorkerRuntime runtime() {
        WorkerRuntime rt = worker.runtime();
        if (rt == null) {
            String error = worker.startupError();
            throw new RestException(
                    503, error == null ? "The worker is not started" : "The worker failed to start: " + error);
        }
        return rt;
    }
}
