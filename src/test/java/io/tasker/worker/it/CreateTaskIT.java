package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /api/tasks} as a client sees it: the Location it answers, the media types it takes, duplicates. */
class CreateTaskIT {

    private static final ItClient client = new ItClient();

    @BeforeAll
    static void ready() throws InterruptedException {
        client.awaitReady(120_000);
    }

    private static String body(Object marker) {
        return ItClient.json(Map.of(
                "name",
                "linear_workflow",
                "namespace",
                "examples",
                "version",
                "1.0.0",
                "context",
                Map.of("value", 2, "create_it", marker)));
    }

    @Test
    void locationHeaderResolvesToTheCreatedTask() throws Exception {
        HttpResponse<String> created = client.postAs(
                "/api/tasks",
                "application/json; charset=utf-8",
                body(UUID.randomUUID().toString()));
        assertEquals(201, created.statusCode(), created.body());
        String uuid = ItClient.JSON.readTree(created.body()).path("task_uuid").asText();
        String location = created.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
        URI resolved = created.uri().resolve(location);
        assertEquals("/api/tasks/" + uuid, resolved.getPath(), location);

        ItClient.Reply fetched = client.get(resolved.getPath());
        assertEquals(200, fetched.status(), location + " -> " + fetched.body());
        assertEquals(uuid, fetched.json().path("task_uuid").asText());
    }

    @Test
    void anythingButJsonIs415() throws Exception {
        String marker = UUID.randomUUID().toString();
        for (String type : new String[] {
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "*/*",
            null
        }) {
            HttpResponse<String> r = client.postAs("/api/tasks", type, body(marker));
            assertEquals(415, r.statusCode(), type + " -> " + r.body());
            JsonNode error = ItClient.JSON.readTree(r.body());
            assertTrue(error.path("error").asText().contains("application/json"), r.body());
        }
        // None of them created the task: the same body as JSON is still new.
        assertEquals(
                201,
                client.postAs("/api/tasks", "application/json", body(marker)).statusCode());
    }

    @Test
    void repeatedIdenticalCreateIs409() throws Exception {
        String same = body(UUID.randomUUID().toString());
        HttpResponse<String> first = client.postAs("/api/tasks", "application/json", same);
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> second = client.postAs("/api/tasks", "application/json", same);
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(ItClient.JSON.readTree(second.body()).path("error").asText().length() > 0, second.body());
    }
}
