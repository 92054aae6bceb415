package io.tasker.worker.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.client.TaskRequest;
import io.tasker.worker.api.client.TaskerClient;
import io.tasker.worker.api.client.TaskerClientException;
import io.tasker.worker.testing.TaskerTestEnvironment;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Java {@link TaskerClient} against the real engine (in memory), and its envelope handling. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskerClientTest {

    private TaskerTestEnvironment env;
    private TaskerClient client;

    @BeforeAll
    void open() {
        env = TaskerTestEnvironment.builder()
                .templateYaml("two_step", """
                        name: two_step
                        namespace_name: client_test
                        version: 1.0.0
                        steps:
                          - name: first
                            handler: { callable: ct_first }
                          - name: second
                            handler: { callable: ct_second }
                            dependencies: [first]
                        """)
                .handler(
                        "ct_first", ctx -> StepHandlerResult.success(Map.of("v", ctx.getInput("n", Integer.class) + 1)))
                .handler("ct_second", ctx -> StepHandlerResult.success(Map.of("v", 100)))
                .build();
        client = env.client();
    }

    @AfterAll
    void close() {
        env.close();
    }

    @Test
    void requestDefaultsFollowTheTypeScriptWorkerWithoutRequestedAt() {
        Map<String, Object> m = TaskRequest.builder("x").build().toMap();
        assertEquals("default", m.get("namespace"));
        assertEquals("1.0.0", m.get("version"));
        assertEquals(Map.of(), m.get("context"));
        assertEquals("tasker-worker-jakarta", m.get("initiator"));
        assertEquals("tasker-core", m.get("source_system"));
        assertEquals("Task requested", m.get("reason"));
        assertEquals(List.of(), m.get("tags"));
        assertFalse(m.containsKey("requested_at"));
        assertFalse(m.containsKey("priority"));
        UUID.fromString((String) m.get("correlation_id"));
        assertThrows(
                IllegalArgumentException.class,
                () -> TaskRequest.builder("x").priority(101).build());
    }

    @Test
    void createRunAndReadATask() throws Exception {
        Map<String, Object> created = client.createTask(TaskRequest.builder("two_step")
                .namespace("client_test")
                .context(Map.of("n", 4))
                .tags(List.of("a"))
                .build());
        String uuid = (String) created.get("task_uuid");
        env.await(uuid, java.time.Duration.ofSeconds(10));
        Map<String, Object> task = client.getTask(uuid);
        assertEquals("complete", task.get("status"));
        List<Map<String, Object>> steps = client.listTaskSteps(uuid);
        assertEquals(2, steps.size());
        Map<String, Object> first = steps.stream()
                .filter(s -> "first".equals(s.get("name")))
                .findFirst()
                .orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) first.get("results");
        assertEquals(Map.of("v", 5), results.get("result"));
        String stepUuid = (String) first.get("step_uuid");
        assertEquals(stepUuid, client.getStep(uuid, stepUuid).get("step_uuid"));
        assertFalse(client.getStepAuditHistory(uuid, stepUuid).isEmpty());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listed = (List<Map<String, Object>>)
                client.listTasks(10, 0, "client_test", null).get("tasks");
        assertTrue(listed.stream().anyMatch(t -> uuid.equals(t.get("task_uuid"))));
        assertEquals(Boolean.TRUE, client.healthCheck().get("healthy"));
    }

    @Test
    void failuresAreTaskerClientExceptions() {
        TaskerClientException missing = assertThrows(
                TaskerClientException.class,
                () -> client.getTask(UUID.randomUUID().toString()));
        assertTrue(missing.getMessage().toLowerCase().contains("not found"), missing.getMessage());
        TaskerClientException template = assertThrows(
                TaskerClientException.class,
                () -> client.createTask(TaskRequest.builder("no_such_template").build()));
        assertFalse(template.isRecoverable());
        TaskerClientException badId = assertThrows(TaskerClientException.class, () -> client.getTask("nope"));
        assertTrue(badId.getMessage().contains("taskUuid"));
        assertFalse(badId.isRecoverable());
    }

    @Test
    void envelopesAreUnwrappedWithAbsentRecoverableAsFalse() {
        assertEquals(
                "{\"a\":1}",
                FfiTaskerClient.unwrap("{\"success\":true,\"data\":{\"a\":1}}").toString());
        EngineClientException ffiLevel = assertThrows(
                EngineClientException.class,
                () -> FfiTaskerClient.unwrap("{\"success\":false,\"error\":\"client_get_task failed: x\"}"));
        assertFalse(ffiLevel.isRecoverable());
        assertNull(ffiLevel.reportedRecoverable());
        EngineClientException busy = assertThrows(
                EngineClientException.class,
                () -> FfiTaskerClient.unwrap("{\"success\":false,\"error\":\"busy\",\"recoverable\":true}"));
        assertTrue(busy.isRecoverable());
        assertEquals(
                EngineClientException.Kind.BAD_RESPONSE,
                assertThrows(EngineClientException.class, () -> FfiTaskerClient.unwrap("{oops"))
                        .kind());
        TaskerClientException notStarted =
                assertThrows(TaskerClientException.class, () -> new FfiTaskerClient(() -> null).healthCheck());
        assertTrue(notStarted.isRecoverable());
    }
}
