package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scale-out on the real tasker-core stack: a second Liberty worker (its own JVM and port, the same WAR and handlers)
 * beside the test server, both on one orchestration server and one PostgreSQL. Tasks are created over the
 * orchestration's REST API, as any client outside the workers would. Runs only with {@code -Preal-stack-it}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    private static final String SERVER = "workerB";

    private final Orchestration orchestration = new Orchestration();
    private final ItClient workerA = new ItClient();
    private ItClient workerB;
    private SecondServer server;

    @BeforeAll
    void startSecondWorker() throws Exception {
        Assumptions.assumeTrue(ItClient.REAL_STACK, "needs the real tasker-core stack (-Preal-stack-it)");
        server = SecondServer.prepare(SERVER, 2, Path.of("target/scale-out-it"));
        copyConfig(Path.of(System.getProperty("wlp.server.dir")), server.dir(), server.port());
        server.start(Map.of());
        workerB = new ItClient(server.port());
        workerA.awaitReady(180_000);
        workerB.awaitReady(180_000);
    }

    @AfterAll
    void stopSecondWorker() throws Exception {
        if (server != null) {
            server.kill(); // a clean stop is not under test here, and the server may already be dead
            server.close();
        }
    }

    @Test
    @Order(1)
    void twoHundredTasksAreSharedBetweenBothWorkers() throws Exception {
        long a0 = succeeded(workerA);
        long b0 = succeeded(workerB);
        Map<String, Integer> tasks = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            tasks.put(orchestration.createTask("examples", "linear_workflow", Map.of("value", i)), i);
        }
        for (Map.Entry<String, Integer> t : tasks.entrySet()) {
            assertEquals("complete", awaitComplete(t.getKey(), 240_000), "task " + t.getKey());
            assertEquals(2L * t.getValue() + 10, ItClient.resultOf(workerA.step(t.getKey(), "add_constant")));
        }
        long byA = succeeded(workerA) - a0;
        long byB = succeeded(workerB) - b0;
        System.out.println("IT scale-out: 400 steps, handler runs on worker A " + byA + ", on worker B " + byB);
        // At least once: a PGMQ message whose visibility timeout lapses is read again, and then both workers may run
        // the step (the results are checked equal above); the count above 400 is reported, not hidden.
        assertTrue(byA + byB >= 400, "every step ran: A " + byA + ", B " + byB);
        assertTrue(byA >= 40 && byB >= 40, "each worker completes a real share: A " + byA + ", B " + byB);
    }

    @Test
    @Order(2)
    void killingOneWorkerMidBurstLosesNothing() throws Exception {
        Map<String, Integer> linear = new LinkedHashMap<>();
        List<String> slow = new ArrayList<>();
        // Slow steps first, so that worker B holds claimed work when it dies.
        for (int i = 0; i < 10; i++) {
            slow.add(orchestration.createTask("examples", "slow_workflow", Map.of("sleep_ms", 8000)));
        }
        long deadline = System.currentTimeMillis() + 60_000;
        int inFlight = 0;
        while (inFlight == 0 && System.currentTimeMillis() < deadline) {
            inFlight = workerB.get("/api/worker").json().path("in_flight").asInt();
            Thread.sleep(inFlight == 0 ? 5 : 0);
        }
        assertTrue(inFlight > 0, "worker B never had a step in flight");
        // Kill it in the middle of a burst of fast tasks.
        for (int i = 0; i < 100; i++) {
            if (i == 50) {
                server.kill();
            }
            linear.put(orchestration.createTask("examples", "linear_workflow", Map.of("value", 1000 + i)), 1000 + i);
        }
        System.out.println("IT scale-out: killed worker B with " + inFlight + " steps in flight");

        // tasker-core 0.1.8 never hands a claimed step to another worker; our bridge's orphan sweep on worker A fails
        // the steps the dead worker held as retryable once they have been in progress for the lease
        // (tasker.core.orphan-lease-ms, 20 s in this profile), and tasker-core retries them on A. So every task
        // completes, with correct results.
        // One case cannot be repaired: the foundation records a step's new state and its result in two writes, and a
        // worker killed between them leaves the state without a result (nobody has it; the staleness detector ends
        // that task). Such a task must show exactly that, and be rare.
        List<String> all = new ArrayList<>(linear.keySet());
        all.addAll(slow);
        List<String> done = new ArrayList<>();
        int resultLost = 0;
        long settleDeadline = System.currentTimeMillis() + 240_000;
        for (String t : all) {
            String status = awaitComplete(t, Math.max(1, settleDeadline - System.currentTimeMillis()));
            if ("complete".equals(status)) {
                done.add(t);
                continue;
            }
            boolean stateWithoutResult = false;
            for (JsonNode step : workerA.steps(t)) {
                stateWithoutResult |= step.path("current_state").asText().equals("enqueued_for_orchestration")
                        && (step.path("results").isNull()
                                || step.path("results").isMissingNode());
            }
            assertTrue(stateWithoutResult, "task " + t + " after the kill is " + status + ": " + workerA.steps(t));
            resultLost++;
        }
        assertTrue(resultLost <= 2, resultLost + " tasks lost a result between the foundation's two writes");
        int redelivered = 0;
        for (String t : done) {
            List<JsonNode> steps = new ArrayList<>();
            workerA.steps(t).forEach(steps::add);
            for (JsonNode step : steps) {
                if (step.path("attempts").asInt() > 1) {
                    redelivered++;
                }
            }
            if (linear.containsKey(t)) {
                assertEquals(2L * linear.get(t), ItClient.resultOf(workerA.step(t, "double_value")));
                assertEquals(2L * linear.get(t) + 10, ItClient.resultOf(workerA.step(t, "add_constant")));
            } else {
                assertEquals(
                        "slept",
                        workerA.step(t, "slow_step")
                                .path("results")
                                .path("result")
                                .path("result")
                                .asText());
            }
        }
        System.out.println("IT scale-out: after the kill " + done.size() + " of " + all.size() + " tasks completed on"
                + " worker A (" + resultLost + " lost a result between the foundation's two writes); " + redelivered
                + " steps the dead worker held were redelivered");
        assertTrue(redelivered > 0, "the steps worker B held when it died ran again on A");
    }

    private String awaitComplete(String uuid, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String status = orchestration.task(uuid).path("status").asText();
        while (!ItClient.TERMINAL.contains(status) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            status = orchestration.task(uuid).path("status").asText();
        }
        return status;
    }

    private static long succeeded(ItClient worker) {
        JsonNode s = worker.get("/api/worker").json();
        return s.path("succeeded").asLong();
    }

    /** The first server's configuration (server.xml, ops, bootstrap properties, jvm.options, the loose app) on another port. */
    private static void copyConfig(Path from, Path to, int port) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path src : files.toList()) {
                Path rel = from.relativize(src);
                String top = rel.getNameCount() == 0 ? "" : rel.getName(0).toString();
                if (top.equals("logs")
                        || top.equals("workarea")
                        || top.equals("tasker-data")
                        || top.equals("tranlog")) {
                    continue;
                }
                Path dst = to.resolve(rel.toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst);
                }
            }
        }
        Path bootstrap = to.resolve("bootstrap.properties");
        List<String> lines = new ArrayList<>();
        if (Files.exists(bootstrap)) {
            for (String line : Files.readAllLines(bootstrap)) {
                if (!line.startsWith("http.port=")) {
                    lines.add(line);
                }
            }
        }
        lines.add("http.port=" + port);
        Files.write(bootstrap, lines);
    }
}
