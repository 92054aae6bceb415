package io.tasker.hostapp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tasker.worker.api.client.TaskRequest;
import io.tasker.worker.api.client.TaskerClient;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Creates a host_flow task through the injected client, waits for it, and returns the task and its step results. */
@Path("run")
@RequestScoped
public class RunResource {

    private static final Set<String> TERMINAL = Set.of("complete", "error", "cancelled", "blocked_by_failures");

    @Inject
    TaskerClient client;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String run(@QueryParam("value") Integer value) throws Exception {
        Map<String, Object> created = client.createTask(TaskRequest.builder("host_flow")
                .namespace("host")
                .context(Map.of("value", value == null ? 5 : value))
                .reason("host run")
                .build());
        String uuid = (String) created.get("task_uuid");
        Map<String, Object> task = client.getTask(uuid);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!TERMINAL.contains(String.valueOf(task.get("status"))) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            task = client.getTask(uuid);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        List<Map<String, Object>> steps = client.listTaskSteps(uuid);
        for (Map<String, Object> step : steps) {
            Object stored = step.get("results");
            results.put((String) step.get("name"), stored instanceof Map<?, ?> m ? m.get("result") : null);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_uuid", uuid);
        out.put("status", task.get("status"));
        out.put("results", results);
        out.put("client_health", client.healthCheck());
        return new ObjectMapper().writeValueAsString(out);
    }
}
