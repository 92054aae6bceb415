package io.tasker.worker.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.ffi.TaskerFfi;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.cdi.TaskerWorker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tasks and steps, through the engine's client functions. These run on request threads, never on the poll thread
 * (contract B13), and return the engine's JSON as it is.
 */
@Path("tasks")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    /** Largest accepted create body. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    @Inject
    TaskerWorker worker;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(@HeaderParam("Content-Length") Long contentLength, InputStream body) throws IOException {
        if (contentLength != null && contentLength > MAX_BODY_BYTES) {
            throw new ApiException(413, "Body larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "Body larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw new ApiException("The body must be a JSON object with at least 'name'");
        }
        String request = CreateTaskRequest.toEngineJson(bytes);
        Response response = ApiResponses.fromEnvelope(engine().clientCreateTask(request), Response.Status.CREATED);
        if (response.getStatus() == 201) {
            JsonNode created = Json.parse((String) response.getEntity());
            String uuid = created.path("task_uuid").asText(null);
            if (uuid != null) {
                return Response.fromResponse(response).location(URI.create("/api/tasks/" + uuid)).build();
            }
        }
        return response;
    }

    @GET
    public Response list(@QueryParam("limit") String limit, @QueryParam("offset") String offset,
                         @QueryParam("namespace") String namespace, @QueryParam("status") String status) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("limit", integer("limit", limit, 50, 1, 1000));
        params.put("offset", integer("offset", offset, 0, 0, Integer.MAX_VALUE));
        if (namespace != null && !namespace.isBlank()) {
            params.put("namespace", namespace);
        }
        if (status != null && !status.isBlank()) {
            params.put("status", status);
        }
        return ApiResponses.fromEnvelope(engine().clientListTasks(Json.write(params)), Response.Status.OK);
    }

    @GET
    @Path("{taskUuid}")
    public Response get(@PathParam("taskUuid") String taskUuid) {
        return ApiResponses.fromEnvelope(engine().clientGetTask(Uuids.require(taskUuid, "taskUuid")), Response.Status.OK);
    }

    @DELETE
    @Path("{taskUuid}")
    public Response cancel(@PathParam("taskUuid") String taskUuid) {
        return ApiResponses.fromEnvelope(engine().clientCancelTask(Uuids.require(taskUuid, "taskUuid")), Response.Status.OK);
    }

    @GET
    @Path("{taskUuid}/steps")
    public Response steps(@PathParam("taskUuid") String taskUuid) {
        return ApiResponses.fromEnvelope(engine().clientListTaskSteps(Uuids.require(taskUuid, "taskUuid")), Response.Status.OK);
    }

    @GET
    @Path("{taskUuid}/steps/{stepUuid}")
    public Response step(@PathParam("taskUuid") String taskUuid, @PathParam("stepUuid") String stepUuid) {
        return ApiResponses.fromEnvelope(engine().clientGetStep(Uuids.require(taskUuid, "taskUuid"),
                Uuids.require(stepUuid, "stepUuid")), Response.Status.OK);
    }

    @GET
    @Path("{taskUuid}/steps/{stepUuid}/audit")
    public Response audit(@PathParam("taskUuid") String taskUuid, @PathParam("stepUuid") String stepUuid) {
        return ApiResponses.fromEnvelope(engine().clientGetStepAuditHistory(Uuids.require(taskUuid, "taskUuid"),
                Uuids.require(stepUuid, "stepUuid")), Response.Status.OK);
    }

    private TaskerFfi engine() {
        if (worker.runtime() == null) {
            throw new ApiException(503, "The worker is not started");
        }
        return worker.runtime().engine();
    }

    private static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw new ApiException("Query parameter '" + name + "' must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException("Query parameter '" + name + "' must be an integer, got '" + value + "'");
        }
    }
}
