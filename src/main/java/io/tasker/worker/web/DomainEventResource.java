package io.tasker.worker.web;

import io.tasker.worker.internal.domain.DomainEventService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * In-process domain event delivery at a glance: {@code GET /api/domain-events?limit=50} returns
 * {@code {stats, subscribers, publishers, recent}} with the most recent events first (at most 200 are kept).
 */
@Path("domain-events")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class DomainEventResource {

    @Inject
    DomainEventService domainEvents;

    @GET
    public Response recent(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 0) {
            throw new RestException(400, "limit must be >= 0");
        }
        return RestResponses.ok(domainEvents.snapshot(Math.min(limit, 200)));
    }
}
