package io.tasker.worker.web;

import io.tasker.worker.api.client.TaskerClientException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Turns a client call the engine refused into {@code {"error": "...", "recoverable"?: …}} with its status. */
@Provider
public class ClientExceptionMapper implements ExceptionMapper<TaskerClientException> {
    @Override
    public Response toResponse(TaskerClientException e) {
        return RestResponses.fromClientException(e);
    }
}
