package io.tasker.worker.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.deployment.DeploymentLintTest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifest's probe paths answer UP on the running server, without credentials. */
class ProbePathsIT {

    @Test
    void manifestProbesAnswerUp() throws Exception {
        Map<String, String> probes = DeploymentLintTest.probePaths();
        assertFalse(probes.isEmpty());
        for (Map.Entry<String, String> probe : probes.entrySet()) {
            HttpResponse<String> r = OpsHttp.get(probe.getValue());
            assertEquals(200, r.statusCode(), probe + ": " + r.body());
            JsonNode body = OpsHttp.json(r);
            assertEquals("UP", body.path("status").asText(), probe + ": " + r.body());
            assertFalse(body.path("checks").isEmpty(), probe + " reports no checks: " + r.body());
        }
    }
}
