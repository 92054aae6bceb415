package io.tasker.worker.web;

import io.tasker.worker.internal.cdi.TaskerWorker;
import io.tasker.worker.internal.config.WorkerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

/** Headless mode: with {@code tasker.web.enabled=false} every {@code /api} request answers 404. */
@Provider
@PreMatching
@ApplicationScoped
public class WebEnabledFilter implements ContainerRequestFilter {

    @Inject
    TaskerWorker worker;

    @Override
    public void filter(ContainerRequestContext request) {
        WorkerSettings settings = worker.settings();
        if (settings != null && !settings.webEnabled()) {
            request.abortWith(RestResponses.error(jakarta.ws.rs.core.Response.Status.NOT_FOUND, "Not found"));
        }
    }
}
