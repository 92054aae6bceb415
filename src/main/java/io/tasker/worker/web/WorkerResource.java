package io.tasker.worker.web;

import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

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
        return ApiResponses.ok(snapshot());
    }

    @GET
    @Path("handlers")
    public Response handlers() {
        return ApiResponses.ok(worker.registry().listHandlers());
    }

    @POST
    @Path("pause")
    public Response pause() {
        runtime().pause();
        return ApiResponses.ok(snapshot());
    }

    @POST
    @Path("resume")
    public Response resume() {
        runtime().resume();
        return ApiResponses.ok(snapshot());
    }

    private Map<String, Object> snapshot() {
        Map<String, Object> m = runtime().snapshot();
        m.put("library_version", worker.libraryVersion());
        m.put("handler_count", worker.registry().handlerCount());
        return m;
    }

    private WorkerRuntime runtime() {
        WorkerRuntime rt = worker.runtime();
        if (rt == null) {
            String error = worker.startupError();
            throw new ApiException(503, error == null ? "The worker is not started" : "The worker failed to start: " + error);
        }
        return rt;
    }
}
