package io.tasker.worker.web;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Turns a refused request into {@code {"error": "..."}} with its status. */
@Provider
public class RestExceptionMapper implements ExceptionMapper<RestException> {
    @Override
    public Response toResponse(RestException e) {
        return RestResponses.error(Response.Status.fromStatusCode(e.status()), e.getMessage());
    }
}
