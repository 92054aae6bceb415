package io.tasker.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.client.TaskerClient;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.Json;
import io.tasker.worker.testing.TaskerTestEnvironment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Measures the Java hot path (poll → dispatch → handler → complete) against the bare engine, in one run so the
 * ratio holds on a noisy machine:
 * <ol>
 *   <li><b>bare loop</b>: one Java thread polls and completes through JNA with a fixed result (engine + FFI cost);</li>
 *   <li><b>worker runtime</b>: the real {@code WorkerRuntime} with trivial handlers (slots, executor hand-off,
 *       context, serialisation, lifecycle events).</li>
 * </ol>
 * Run: {@code mvn -q -DskipTests test-compile exec:java@dispatch-bench -Dbench.tasks=2000} (the pom's execution;
 * {@code -Dexec.args} would also reach the cargo steps). The argument is the tasks per round, default 2000.
 */
public final class DispatchBenchmark {

    private static final String TEMPLATE = """
            name: bench_chain
            namespace_name: bench
            version: 1.0.0
            steps:
              - name: s1
                handler: { callable: bench.step }
              - name: s2
                handler: { callable: bench.step }
                dependencies: [s1]
              - name: s3
                handler: { callable: bench.step }
                dependencies: [s1]
              - name: s4
                handler: { callable: bench.step }
                dependencies: [s2, s3]
            """;
    private static final int STEPS_PER_TASK = 4;

    private DispatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        System.out.printf("Dispatch benchmark: %d diamond tasks (%d steps) per round, in-memory engine%n",
                tasks, tasks * STEPS_PER_TASK);
        bareLoop(tasks / 4); // warm-up
        double bare = bareLoop(tasks);
        runtime(tasks / 4, 4, Map.of(), false); // warm-up
        System.out.println();
        double four = 0;
        for (int slots : new int[] {1, 4, 10}) {
            double perSecond = runtime(tasks, slots, Map.of(), true);
            System.out.printf("  ratio to the bare loop with %2d slots: %.2f%n", slots, perSecond / bare);
            four = slots == 4 ? perSecond : four;
        }
        // A per-handler cap that is never reached costs a lane lookup per event; compare with the same slots.
        double capped = runtime(tasks, 4, Map.of("tasker.worker.handler-concurrency.bench.step", "1000"), true);
        System.out.printf("  ratio per-handler cap (not reached) / no cap, 4 slots: %.2f%n", capped / four);
    }

    /** Steps per second of a single-threaded poll/complete loop with no handler and a constant result. */
    private static double bareLoop(int tasks) {
        TaskerFfi ffi = LibraryLocator.standard(null).load();
        String boot = ffi.bootstrapWorker(Json.write(Map.of(
                "worker_id", "bench-" + UUID.randomUUID(),
                "templates", List.of(Map.of("source", "bench.yaml", "yaml", TEMPLATE)),
                "engine", Map.of("data_dir", ""))));
        if (!Json.parse(boot).path("success").asBoolean()) {
            throw new IllegalStateException(boot);
        }
        try {
            for (int i = 0; i < tasks; i++) {
                create(ffi, i);
            }
            int done = 0;
            long start = System.nanoTime();
            while (done < tasks * STEPS_PER_TASK) {
                String event = ffi.pollStepEvent();
                if (event == null) {
                    continue;
                }
                JsonNode e = Json.parse(event);
                String result = "{\"step_uuid\":\"" + e.path("step_uuid").asText()
                        + "\",\"success\":true,\"status\":\"completed\",\"result\":{\"ok\":true},"
                        + "\"metadata\":{\"execution_time_ms\":0,\"retryable\":false}}";
                if (!ffi.completeStepEvent(e.path("event_id").asText(), result)) {
                    throw new IllegalStateException("completion refused: " + result);
                }
                done++;
            }
            double perSecond = done / ((System.nanoTime() - start) / 1e9);
            System.out.printf("bare loop       : %,10.0f steps/s%n", perSecond);
            return perSecond;
        } finally {
            ffi.transitionToGracefulShutdown();
            ffi.stopWorker();
        }
    }

    /** Steps per second through the worker runtime, plus received→started hand-off latency percentiles. */
    private static double runtime(int tasks, int slots, Map<String, String> settings, boolean print)
            throws InterruptedException {
        TaskerTestEnvironment.Builder builder = TaskerTestEnvironment.builder()
                .templateYaml("bench.yaml", TEMPLATE)
                .handler("bench.step", ctx -> StepHandlerResult.success(Map.of("ok", true)))
                .setting("tasker.worker.max-concurrency", Integer.toString(slots))
                .setting("tasker.worker.poll-interval-ms", "10")
                .timeout(Duration.ofMinutes(5));
        settings.forEach(builder::setting);
        try (TaskerTestEnvironment env = builder.build()) {
            long start = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                env.start("bench", "bench_chain", "1.0.0", Map.of("i", i));
            }
            awaitCompleted(env.client(), tasks);
            double seconds = (System.nanoTime() - start) / 1e9;
            double perSecond = tasks * STEPS_PER_TASK / seconds;
            if (print) {
                long[] handOff = handOffMicros(env.lifecycleEvents());
                System.out.printf("worker runtime  : %,10.0f steps/s with %2d slots (incl. task creation); "
                                + "received->started p50 %d us, p99 %d us%n",
                        perSecond, slots, percentile(handOff, 50), percentile(handOff, 99));
            }
            return perSecond;
        }
    }

    /** Waits until {@code tasks} tasks are complete; one cheap list call every millisecond. */
    private static void awaitCompleted(TaskerClient client, int tasks) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            Map<String, Object> page = client.listTasks(1, 0, null, "complete");
            if (((Number) ((Map<?, ?>) page.get("pagination")).get("total_count")).longValue() >= tasks) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("tasks not complete after 5 minutes: " + page);
            }
            Thread.sleep(1);
        }
    }

    private static void create(TaskerFfi ffi, int i) {
        String response = ffi.clientCreateTask(Json.write(Map.of(
                "name", "bench_chain", "namespace", "bench", "version", "1.0.0", "context", Map.of("i", i),
                "initiator", "bench", "source_system", "bench", "reason", "bench")));
        if (!Json.parse(response).path("success").asBoolean()) {
            throw new IllegalStateException(response);
        }
    }

    private static long[] handOffMicros(List<StepLifecycleEvent> events) {
        Map<String, Long> received = new HashMap<>();
        List<Long> out = new ArrayList<>();
        for (StepLifecycleEvent e : events) {
            if (e instanceof StepExecutionReceived r) {
                received.put(r.eventId(), r.receivedAt().getEpochSecond() * 1_000_000 + r.receivedAt().getNano() / 1000);
            } else if (e instanceof StepExecutionStarted s && received.containsKey(s.eventId())) {
                long startedMicros = s.startedAt().getEpochSecond() * 1_000_000 + s.startedAt().getNano() / 1000;
                out.add(startedMicros - received.get(s.eventId()));
            }
        }
        long[] values = out.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(values);
        return values;
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
