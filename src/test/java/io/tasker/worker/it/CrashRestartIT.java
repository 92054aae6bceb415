package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code kill -9} of the Liberty JVM in the middle of workflows, then a restart on the same data directory: every
 * task still runs to {@code complete}, no completion the API had shown (so the engine had accepted it) is lost or
 * run again, and the steps in flight at the kill run again (at-least-once).
 *
 * <p>The {@code crash_chain} template's handler ({@code recorded_sleep}) appends one line per execution
 * ({@code step_uuid event_id attempt execution_id}) to {@code <server output>/execution-logs/<name>.log} and returns
 * its {@code execution_id}, so the log and the stored results tell exactly which execution of a step is stored and
 * how often each step ran. Stops the server: runs only in the pom's last failsafe execution, after every other IT,
 * and leaves the restarted server for {@code liberty:stop}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRestartIT {

    private static final ItClient client = new ItClient();

    /** What the API showed for a completed step before the kill. */
    record Acked(String task, String name, int attempts, JsonNode results) {}

    /** One line of the execution log. */
    record Execution(String stepUuid, String eventId, int attempt, String executionId) {}

    @BeforeAll
    static void ready() throws InterruptedException {
        Assumptions.assumeTrue(
                Boolean.getBoolean("tasker.it.crash-allowed"),
                "kills the server: runs only in the pom's crash-it execution");
        client.awaitReady(180_000);
        // Warm up the paths the tests poll (the server was just restarted by the drain test): a cold first request
        // can take longer than a step.
        String warm = client.createTask("crash_chain", Map.of("sleep_ms", 0));
        client.awaitTerminal(warm, 60_000);
        long deadline = System.currentTimeMillis() + 20_000;
        long took;
        do {
            long t0 = System.nanoTime();
            client.steps(warm);
            took = (System.nanoTime() - t0) / 1_000_000;
        } while (took > 100 && System.currentTimeMillis() < deadline);
    }

    @Test
    @Order(1)
    void killMidWorkflowKeepsAcknowledgedStepsAndRerunsInFlightOnes() throws Exception {
        String log = "crash-" + UUID.randomUUID();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(client.createTask("crash_chain", Map.of("sleep_ms", 4000, "execution_log", log)));
        }
        // Wait until some steps are complete and others are running, recording every completion shown.
        Map<String, Acked> acked = new HashMap<>();
        long deadline = System.currentTimeMillis() + 30_000;
        int running = 0;
        int snapshots = 0;
        long firstSeen = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            running = snapshot(tasks, acked);
            snapshots++;
            if (acked.size() >= 2 && running >= 2) {
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(
                acked.size() >= 2 && running >= 2,
                "never had complete and running steps together: " + acked.size() + " complete, " + running
                        + " running after " + snapshots + " snapshots");
        System.out.println("IT crash: " + snapshots + " snapshots in " + (System.currentTimeMillis() - firstSeen)
                + " ms before the kill");

        long killedAt = kill9();
        List<Execution> beforeKill = readLog(log);
        System.out.println("IT crash: killed with " + acked.size() + " steps complete, " + running + " in progress, "
                + beforeKill.size() + " executions started");
        long restartMs = restart();
        for (String task : tasks) {
            JsonNode t = client.awaitTerminal(task, 60_000);
            assertEquals("complete", t.path("status").asText(), t.toString());
        }
        System.out.println("IT crash: restart " + restartMs + " ms, all tasks complete "
                + (System.currentTimeMillis() - killedAt) + " ms after the kill");

        List<Execution> all = readLog(log);
        Map<String, JsonNode> finalSteps = finalSteps(tasks);
        assertEquals(tasks.size() * 3, finalSteps.size());
        assertAcknowledgedSurvived(acked, finalSteps, all);

        // Every step: the stored result is from its last execution; steps that had started but whose completion
        // had not been accepted before the kill ran again after the restart, exactly once.
        Map<String, List<Execution>> byStep = byStep(all);
        Map<String, List<Execution>> beforeByStep = byStep(beforeKill);
        int rerun = 0;
        for (Map.Entry<String, JsonNode> e : finalSteps.entrySet()) {
            JsonNode step = e.getValue();
            List<Execution> runs = byStep.getOrDefault(e.getKey(), List.of());
            assertTrue(!runs.isEmpty(), "never executed: " + step);
            String stored =
                    step.path("results").path("result").path("execution_id").asText();
            assertEquals(runs.get(runs.size() - 1).executionId(), stored, "stored result is not the last run: " + runs);
            int before = beforeByStep.getOrDefault(e.getKey(), List.of()).size();
            assertTrue(before <= 1, "ran twice before the kill: " + runs);
            if (runs.size() > before && before == 1) {
                rerun++;
                assertEquals(2, runs.size(), "in-flight step ran more than once after the restart: " + runs);
                assertTrue(!acked.containsKey(e.getKey()), "acknowledged step ran again: " + runs);
            } else {
                assertEquals(1, runs.size(), runs.toString());
            }
            assertEquals(1, step.path("attempts").asInt(), "a lost execution is not counted as an attempt: " + step);
            String name = step.path("name").asText();
            long expected = name.endsWith("_a") ? 1 : name.endsWith("_b") ? 2 : 3;
            assertEquals(
                    expected, step.path("results").path("result").path("result").asLong(), step.toString());
        }
        System.out.println("IT crash: " + rerun + " in-flight steps ran again after the restart");
        assertTrue(rerun >= 1, "no step was in flight at the kill (" + running + " were running just before)");
    }

    @Test
    @Order(2)
    void killAtARandomMomentOfABurstLosesNoAcknowledgedCompletion() throws Exception {
        long seed = Long.getLong("tasker.it.crash-seed", System.nanoTime());
        Random random = new Random(seed);
        long killAfterMs = 300 + random.nextInt(1500);
        System.out.println("IT crash burst: seed " + seed + ", kill after " + killAfterMs + " ms");
        String log = "burst-" + UUID.randomUUID();

        List<String> tasks = new CopyOnWriteArrayList<>();
        Map<String, Acked> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread creator = new Thread(
                () -> {
                    for (int i = 0; i < 60 && !stop.get(); i++) {
                        try {
                            tasks.add(client.createTask(
                                    "crash_chain", Map.of("sleep_ms", 5 + i % 20, "execution_log", log)));
                        } catch (AssertionError e) {
                            return; // the server died under the request: its task may or may not exist
                        }
                    }
                },
                "burst-creator");
        Thread watcher = new Thread(
                () -> {
                    while (!stop.get()) {
                        try {
                            Map<String, Acked> seen = new HashMap<>();
                            snapshot(new ArrayList<>(tasks), seen);
                            acked.putAll(seen);
                        } catch (AssertionError e) {
                            return;
                        }
                    }
                },
                "burst-watcher");
        long start = System.currentTimeMillis();
        creator.start();
        watcher.start();
        Thread.sleep(killAfterMs);
        kill9();
        stop.set(true);
        creator.join(30_000);
        watcher.join(30_000);
        List<String> created = List.copyOf(tasks);
        List<Execution> beforeKill = readLog(log);
        System.out.println("IT crash burst: killed " + (System.currentTimeMillis() - start) + " ms in, "
                + created.size() + " tasks created, " + acked.size() + " completions shown, "
                + beforeKill.size() + " executions started");
        assertTrue(!created.isEmpty(), "no task was created before the kill");

        restart();
        for (String task : created) {
            JsonNode t = client.awaitTerminal(task, 60_000);
            assertEquals("complete", t.path("status").asText(), t.toString());
        }
        Map<String, JsonNode> finalSteps = finalSteps(created);
        assertEquals(created.size() * 3, finalSteps.size());
        assertAcknowledgedSurvived(acked, finalSteps, readLog(log));
        for (JsonNode step : finalSteps.values()) {
            String name = step.path("name").asText();
            long expected = name.endsWith("_a") ? 1 : name.endsWith("_b") ? 2 : 3;
            assertEquals(
                    expected, step.path("results").path("result").path("result").asLong(), step.toString());
        }
    }

    // ---- helpers ----

    /** Records every complete step of the tasks into {@code acked}; returns how many steps are in progress. */
    private static int snapshot(Collection<String> tasks, Map<String, Acked> acked) {
        int running = 0;
        for (String task : tasks) {
            for (JsonNode s : client.steps(task)) {
                String state = s.path("current_state").asText();
                if ("complete".equals(state)) {
                    acked.putIfAbsent(
                            s.path("step_uuid").asText(),
                            new Acked(
                                    task,
                                    s.path("name").asText(),
                                    s.path("attempts").asInt(),
                                    s.path("results")));
                } else if ("in_progress".equals(state)) {
                    running++;
                }
            }
        }
        return running;
    }

    /** Every step the API showed complete before the kill: still complete, same attempts and result, ran once. */
    private static void assertAcknowledgedSurvived(
            Map<String, Acked> acked, Map<String, JsonNode> finalSteps, List<Execution> log) {
        Map<String, List<Execution>> byStep = byStep(log);
        for (Map.Entry<String, Acked> e : acked.entrySet()) {
            Acked before = e.getValue();
            JsonNode after = finalSteps.get(e.getKey());
            assertTrue(after != null, "acknowledged step vanished: " + before);
            assertEquals("complete", after.path("current_state").asText(), after.toString());
            assertEquals(before.attempts(), after.path("attempts").asInt(), "attempts changed: " + after);
            assertEquals(1, before.attempts(), before.toString());
            assertEquals(before.results(), after.path("results"), "stored result changed for " + before.name());
            List<Execution> runs = byStep.getOrDefault(e.getKey(), List.of());
            assertEquals(
                    1, runs.size(), "acknowledged step " + before.name() + " ran " + runs.size() + " times: " + runs);
            assertEquals(
                    runs.get(0).executionId(),
                    after.path("results").path("result").path("execution_id").asText());
        }
    }

    private static Map<String, JsonNode> finalSteps(List<String> tasks) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String task : tasks) {
            for (JsonNode s : client.steps(task)) {
                out.put(s.path("step_uuid").asText(), s);
            }
        }
        return out;
    }

    private static Map<String, List<Execution>> byStep(List<Execution> log) {
        Map<String, List<Execution>> out = new HashMap<>();
        for (Execution x : log) {
            out.computeIfAbsent(x.stepUuid(), k -> new ArrayList<>()).add(x);
        }
        return out;
    }

    private static Path serverDir() {
        return Path.of(System.getProperty("wlp.server.dir"));
    }

    private static List<Execution> readLog(String name) throws IOException {
        Path file = serverDir().resolve("execution-logs").resolve(name + ".log");
        List<Execution> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.trim().split(" ");
            if (f.length == 4) {
                out.add(new Execution(f[0], f[1], Integer.parseInt(f[2]), f[3]));
            }
        }
        return out;
    }

    /** SIGKILL the server JVM and wait for it to be gone; returns the time of the kill. */
    private static long kill9() throws Exception {
        Path dir = serverDir();
        Path pidFile = dir.getParent().resolve(".pid").resolve(dir.getFileName() + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        long at = System.currentTimeMillis();
        assertTrue(server.destroyForcibly(), "SIGKILL not delivered"); // SIGKILL on Unix
        server.onExit().get(60, TimeUnit.SECONDS);
        return at;
    }

    /** {@code server start} on the same server (same data directory); returns ms until ready. */
    private static long restart() throws Exception {
        long t0 = System.currentTimeMillis();
        Path wlp = Path.of(System.getProperty("wlp.install.dir"));
        Process start = new ProcessBuilder(
                        wlp.resolve("bin/server").toString(),
                        "start",
                        serverDir().getFileName().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(start.waitFor(180, TimeUnit.SECONDS), "server start did not return");
        assertEquals(0, start.exitValue(), "server start failed");
        client.awaitReady(180_000);
        return System.currentTimeMillis() - t0;
    }
}
