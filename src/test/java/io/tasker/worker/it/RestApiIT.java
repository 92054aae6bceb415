package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, validation and the read endpoints over real HTTP. */
class RestApiIT {

    private static final ItClient client = new ItClient();

    @BeforeAll
    static void ready() throws InterruptedException {
        client.awaitReady(120_000);
    }

    @Test
    void healthEndpointsAreUpWithData() {
        for (String path : new String[] {"/health/started", "/health/live", "/health/ready", "/health"}) {
            ItClient.Reply r = client.get(path);
            assertEquals(200, r.status(), path + " " + r.body());
            JsonNode json = r.json();
            assertEquals("UP", json.path("status").asText(), path);
            JsonNode data = json.path("checks").get(0).path("data");
            assertTrue(data.path("handler_count").asInt() >= 9, path + " " + data);
            assertEquals(10, data.path("slots_total").asInt(), path + " " + data);
            assertTrue(data.path("library_path").asText().endsWith(ItClient.LIBRARY), data.toString());
            assertFalse(data.path("library_version").asText().isEmpty());
            assertTrue(data.has("pending") && data.has("starvation_detected") && data.has("slots_used"));
            assertTrue(data.has("handlers_in_flight") && data.has("handler_limits"), data.toString());
        }
    }

    @Test
    void badBodiesAreRejectedNamingTheField() {
        ItClient.Reply missingName = client.post("/api/tasks", "{\"context\":{}}");
        assertEquals(400, missingName.status());
        assertTrue(missingName.json().path("error").asText().contains("'name'"), missingName.body());
        ItClient.Reply badContext = client.post("/api/tasks", "{\"name\":\"linear_workflow\",\"context\":[1]}");
        assertEquals(400, badContext.status());
        assertTrue(badContext.body().contains("'context'"), badContext.body());
        ItClient.Reply badPriority = client.post("/api/tasks", "{\"name\":\"x\",\"priority\":500}");
        assertEquals(400, badPriority.status());
        assertTrue(badPriority.body().contains("'priority'"), badPriority.body());
        ItClient.Reply notJson = client.post("/api/tasks", "{nope");
        assertEquals(400, notJson.status());
        ItClient.Reply unknown = client.post("/api/tasks", "{\"name\":\"x\",\"colour\":\"red\"}");
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("'colour'"), unknown.body());
        ItClient.Reply tooBig = client.post(
                "/api/tasks", "{\"name\":\"x\",\"context\":{\"blob\":\"" + "a".repeat(1024 * 1024) + "\"}}");
        assertEquals(413, tooBig.status());
    }

    @Test
    void unknownTemplateIsAClientError() {
        ItClient.Reply r =
                client.post("/api/tasks", ItClient.json(Map.of("name", "no_such_workflow", "namespace", "examples")));
        assertTrue(r.status() == 404 || r.status() == 400, r.status() + " " + r.body());
        assertFalse(r.json().path("error").asText().isEmpty());
    }

    @Test
    void unknownTaskIs404AndMalformedIdIs400() {
        ItClient.Reply missing = client.get("/api/tasks/00000000-0000-4000-8000-000000000000");
        assertEquals(404, missing.status(), missing.body());
        ItClient.Reply malformed = client.get("/api/tasks/not-a-uuid");
        assertEquals(400, malformed.status());
        assertTrue(malformed.body().contains("taskUuid"), malformed.body());
    }

    @Test
    void readEndpoints() throws Exception {
        String task = client.createTask("linear_workflow", Map.of("value", 5));
        client.awaitTerminal(task, 10_000);
        JsonNode steps = client.get("/api/tasks/" + task + "/steps").json();
        assertEquals(2, steps.size());
        String stepUuid = steps.get(0).path("step_uuid").asText();
        ItClient.Reply step = client.get("/api/tasks/" + task + "/steps/" + stepUuid);
        assertEquals(200, step.status(), step.body());
        assertEquals(stepUuid, step.json().path("step_uuid").asText());
        ItClient.Reply audit = client.get("/api/tasks/" + task + "/steps/" + stepUuid + "/audit");
        assertEquals(200, audit.status(), audit.body());
        assertTrue(audit.json().isArray());
        ItClient.Reply list = client.get("/api/tasks?limit=5&namespace=examples");
        assertEquals(200, list.status(), list.body());
        assertTrue(list.json().path("tasks").isArray());
        assertEquals(400, client.get("/api/tasks?limit=zero").status());
    }

    @Test
    void listsShowEachTasksStateAndFilterByIt() throws Exception {
        String done = client.createTask("linear_workflow", Map.of("value", 4));
        String failed = client.createTask("permanent_failure_workflow", Map.of());
        client.awaitTerminal(done, 10_000);
        String failedState = client.awaitTerminal(failed, 10_000).path("status").asText();

        // The unfiltered page reports each task's own state (tasker-core's list endpoint says only "completed").
        Map<String, String> states = new java.util.HashMap<>();
        for (JsonNode t : client.get("/api/tasks?limit=100").json().path("tasks")) {
            states.put(t.path("task_uuid").asText(), t.path("status").asText());
        }
        assertEquals("complete", states.get(done), states.toString());
        assertEquals(failedState, states.get(failed));

        for (String state : new String[] {"complete", failedState}) {
            JsonNode page = client.get("/api/tasks?limit=100&status=" + state).json();
            java.util.Set<String> uuids = new java.util.HashSet<>();
            for (JsonNode t : page.path("tasks")) {
                assertEquals(state, t.path("status").asText(), t.toString());
                uuids.add(t.path("task_uuid").asText());
            }
            assertTrue(uuids.contains(state.equals("complete") ? done : failed), state + " " + page);
            assertTrue(page.path("pagination").path("total_count").asInt() >= uuids.size(), page.toString());
        }
        JsonNode first = client.get("/api/tasks?limit=1&status=complete").json();
        assertEquals(1, first.path("tasks").size(), first.toString());
        assertEquals(1, first.path("pagination").path("page").asInt());
        assertEquals(
                first.path("pagination").path("total_count").asInt() > 1,
                first.path("pagination").path("has_next").asBoolean(),
                first.toString());
        assertEquals(
                0,
                client.get("/api/tasks?status=no_such_state")
                        .json()
                        .path("tasks")
                        .size());
    }

    @Test
    void cancelAPendingTask() throws Exception {
        client.post("/api/worker/pause", "");
        try {
            String task = client.createTask("linear_workflow", Map.of("value", 1));
            ItClient.Reply r = client.delete("/api/tasks/" + task);
            assertEquals(200, r.status(), r.body());
            assertEquals("cancelled", client.task(task).path("status").asText());
        } finally {
            client.post("/api/worker/resume", "");
        }
    }

    @Test
    void workerStatusHandlersAndPause() throws Exception {
        JsonNode status = client.get("/api/worker").json();
        assertEquals("running", status.path("state").asText());
        assertTrue(status.path("worker_id").asText().startsWith("java-worker-"));
        assertEquals(10, status.path("slots_total").asInt());
        assertTrue(
                status.has("slots_used")
                        && status.path("handlers_in_flight").isObject()
                        && status.path("handler_limits").isObject(),
                status.toString());
        assertFalse(status.has("slots"), "slots_used/slots_total only, no nested duplicate: " + status);
        assertTrue(status.path("library_path").asText().endsWith(ItClient.LIBRARY));
        assertFalse(status.path("library_version").asText().isEmpty());
        assertTrue(status.path("polls").asLong() > 0);
        JsonNode handlers = client.get("/api/worker/handlers").json();
        assertTrue(handlers.size() >= 9);
        boolean found = false;
        for (JsonNode h : handlers) {
            if (h.path("name").asText().equals("diamond_end")) {
                found = true;
                assertEquals("cdi", h.path("source").asText());
            }
        }
        assertTrue(found);
        try {
            assertTrue(
                    client.post("/api/worker/pause", "").json().path("paused").asBoolean());
            String task = client.createTask("linear_workflow", Map.of("value", 2));
            Thread.sleep(300);
            assertFalse(
                    ItClient.TERMINAL.contains(client.task(task).path("status").asText()));
            assertFalse(
                    client.post("/api/worker/resume", "").json().path("paused").asBoolean());
            assertEquals(
                    "complete",
                    client.awaitTerminal(task, 10_000).path("status").asText());
        } finally {
            client.post("/api/worker/resume", "");
        }
    }
}
