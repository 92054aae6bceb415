package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM the Liberty JVM while slow handlers run, restart it, and check that the in-flight steps were completed
 * (accepted and stored on disk) before the engine stopped: complete after one attempt, not retried. Runs after the
 * other ITs and before {@code CrashRestartIT} (pom: failsafe executions), and leaves the restarted server running.
 */
class GracefulDrainIT {

    private static final ItClient client = new ItClient();

    @Test
    void inFlightStepsCompleteBeforeTheServerStops() throws Exception {
        Assumptions.assumeTrue(
                Boolean.getBoolean("tasker.it.restart-allowed"),
                "stops the server: runs only in the pom's drain-it execution");
        client.awaitReady(120_000);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(client.createTask("slow_workflow", Map.of("sleep_ms", 3000)));
        }
        awaitInProgress(tasks);

        Path serverDir = Path.of(System.getProperty("wlp.server.dir"));
        Path pidFile = serverDir.getParent().resolve(".pid").resolve(serverDir.getFileName() + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        long stopStart = System.nanoTime();
        assertTrue(server.destroy(), "SIGTERM not delivered"); // destroy() is SIGTERM on Unix
        server.onExit().get(90, TimeUnit.SECONDS);
        long stopMs = (System.nanoTime() - stopStart) / 1_000_000;
        System.out.println("IT drain: server exited " + stopMs + " ms after SIGTERM");

        Path wlp = Path.of(System.getProperty("wlp.install.dir"));
        Process start = new ProcessBuilder(
                        wlp.resolve("bin/server").toString(),
                        "start",
                        serverDir.getFileName().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(start.waitFor(180, TimeUnit.SECONDS), "server start did not return");
        assertEquals(0, start.exitValue(), "server start failed");
        client.awaitReady(180_000);

        for (String task : tasks) {
            JsonNode t = client.awaitTerminal(task, 30_000);
            assertEquals("complete", t.path("status").asText(), t.toString());
            JsonNode step = client.step(task, "slow_step");
            assertEquals(1, step.path("attempts").asInt(), "the step was retried instead of drained: " + step);
            assertEquals(
                    3000, step.path("results").path("result").path("slept_ms").asInt(), step.toString());
        }
        assertTrue(stopMs >= 1000, "the server should have waited for the handlers, stopped after " + stopMs + " ms");
    }

    private static void awaitInProgress(List<String> tasks) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (String t : tasks) {
                all &= "in_progress"
                        .equals(client.step(t, "slow_step")
                                .path("current_state")
                                .asText());
            }
            if (all) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("slow steps never all in progress");
    }
}
