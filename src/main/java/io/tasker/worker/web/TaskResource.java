package io.tasker.worker.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.internal.client.FfiTaskerClient;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;

/**
 * Tasks and steps, through the {@link FfiTaskerClient} (the same code as the injectable {@code TaskerClient}). These
 * run on request threads, never on the poll thread (docs/ffi-contract.md R11), and return the engine's JSON as it is; engine
 * refusals reach {@link ClientExceptionMapper}.
 */
@Path("tasks")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    /** Largest accepted create body. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    @Inject
    FfiTaskerClient client;

    @Inject
    io.tasker.worker.internal.cdi.TaskerWorker worker;

    // WILDCARD plus our own check, so that a wrong type gets our JSON error body rather than the runtime's page.
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(
            @HeaderParam("Content-Length") Long contentLength,
            @Context HttpHeaders headers,
            @Context UriInfo uri,
            InputStream body)
            throws IOException {
        requireJson(headers.getMediaType());
        if (contentLength != null && contentLength > MAX_BODY_BYTES) {
            throw new RestException(413, "Body larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RestException(413, "Body larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw new RestException("The body must be a JSON object with at least 'name'");
        }
        JsonNode created = client.createTaskJson(CreateTaskRequest.toEngineJson(bytes));
        Response.ResponseBuilder response = Response.status(Response.Status.CREATED)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(created.toString());
        String uuid = created.path("task_uuid").asText(null);
        if (uuid != null) {
            // Absolute, from the request's own path: a relative "/api/…" is resolved against the application's
            // base URI (/api/) and would come out as /api/api/tasks/….
            response.location(uri.getAbsolutePathBuilder().path(uuid).build());
        }
        return response.build();
    }

    @GET
    public Response list(
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset,
            @QueryParam("namespace") String namespace,
            @QueryParam("status") String status) {
        return RestResponses.data(client.listTasksJson(
                integer("limit", limit, 50, 1, 1000),
                integer("offset", offset, 0, 0, Integer.MAX_VALUE),
                namespace,
                status));
    }

    @GET
    @Path("{taskUuid}")
    public Response get(@PathParam("taskUuid") String taskUuid) {
        return RestResponses.data(client.getTaskJson(Uuids.require(taskUuid, "taskUuid")));
    }

    @DELETE
    @Path("{taskUuid}")
    public Response cancel(@PathParam("taskUuid") String taskUuid) {
        return RestResponses.data(client.cancelTaskJson(Uuids.require(taskUuid, "taskUuid")));
    }

    @GET
    @Path("{taskUuid}/steps")
    public Response steps(@PathParam("taskUuid") String taskUuid) {
        String uuid = Uuids.require(taskUuid, "taskUuid");
        JsonNode steps = client.listTaskStepsJson(uuid);
        io.tasker.worker.internal.runtime.TemplateGraph graph = worker.templateGraph();
        if (graph != null
                && steps instanceof com.fasterxml.jackson.databind.node.ArrayNode list
                && lacksParents(list)) {
            // tasker-core reports no step parents: the dashboard's DAG comes from the task's template instead.
            JsonNode task = client.getTaskJson(uuid);
            graph.addParents(
                    task.path("namespace").asText(),
                    task.path("name").asText(),
                    task.path("version").asText(),
                    list);
        }
        return RestResponses.data(steps);
    }

    private static boolean lacksParents(com.fasterxml.jackson.databind.node.ArrayNode steps) {
        for (JsonNode s : steps) {
            if (!s.has("parents")) {
                return true;
            }
        }
        return false;
    }

    @GET
    @Path("{taskUuid}/steps/{stepUuid}")
    public Response step(@PathParam("taskUuid") String taskUuid, @PathParam("stepUuid") String stepUuid) {
        return RestResponses.data(
                client.getStepJson(Uuids.require(taskUuid, "taskUuid"), Uuids.require(stepUuid, "stepUuid")));
    }

    @GET
    @Path("{taskUuid}/steps/{stepUuid}/audit")
    public Response audit(@PathParam("taskUuid") String taskUuid, @PathParam("stepUuid") String stepUuid) {
        return RestResponses.data(client.getStepAuditHistoryJson(
                Uuids.require(taskUuid, "taskUuid"), Uuids.require(stepUuid, "stepUuid")));
    }

    /** 415 for anything but {@code application/json} (parameters such as {@code charset} are fine). */
    static void requireJson(MediaType type) {
        if (type == null
                || type.isWildcardType()
                || type.isWildcardSubtype()
                || !MediaType.APPLICATION_JSON_TYPE.isCompatible(type)) {
            throw new RestException(
                    415, "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
        }
    }

    private static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw new RestException("Query parameter '" + name + "' must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new RestException("Query parameter '" + name + "' must be an integer, got '" + value + "'");
        }
    }
}
