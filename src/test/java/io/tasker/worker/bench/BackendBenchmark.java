package io.tasker.worker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measurement of a running worker deployment (scripts/bench-backends.sh starts the servers and runs this once per
 * backend and worker count). It uses only the JDK, so it runs as a single source file:
 * {@code java src/test/java/io/tasker/worker/bench/BackendBenchmark.java LABEL WORKER_URL CREATE_URL TASKS OUT}.
 *
 * <ul>
 *   <li>Throughput: {@code TASKS} one-step {@code bench_start_stamp} tasks created by 4 concurrent clients; steps/s from
 *       the first create to the last handler start (the handler stamps its start time).</li>
 *   <li>Latency at low load: 200 tasks, one every 20 ms; create → handler start, p50 and p99.</li>
 * </ul>
 * {@code CREATE_URL} is where tasks are created: the worker's {@code /api/tasks} (embedded) or the orchestration's
 * {@code /v1/tasks} (tasker-core, as a client outside the workers would). A line per run is appended to {@code OUT}.
 */
public final class BackendBenchmark {

    private static final Pattern UUID_FIELD = Pattern.compile("\"task_uuid\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final Pattern STARTED = Pattern.compile("\"started_at_ms\"\\s*:\\s*(\\d+)");
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String worker;
    private final String create;
    private final String auth;

    private BackendBenchmark(String worker, String create) {
        this.worker = worker;
        this.create = create;
        String user = System.getProperty("tasker.admin.user", "admin") + ":"
                + System.getProperty("tasker.admin.password", "tasker-dev");
        this.auth = "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: BackendBenchmark LABEL WORKER_URL CREATE_URL TASKS OUT");
            System.exit(2);
        }
        BackendBenchmark b = new BackendBenchmark(args[1], args[2]);
        int tasks = Integer.parseInt(args[3]);
        // One task alone first: tasker-core 0.1.8 races when the first tasks of a template are created concurrently
        // (a duplicate-key error on its named step, answered as 500), then a warm-up for class loading, JIT, pools.
        b.startedAt(b.createTask());
        b.runThroughput(Math.min(100, tasks));
        double stepsPerSecond = b.runThroughput(tasks);
        long[] latency = b.runLowLoad(200, 20);
        String line = String.format("%s\t%.0f\t%d\t%d%n", args[0], stepsPerSecond, latency[0], latency[1]);
        System.out.print("bench " + line);
        Files.writeString(Path.of(args[4]), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private double runThroughput(int n) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long t0 = System.currentTimeMillis();
        List<Future<String>> created = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            created.add(clients.submit(this::createTask));
        }
        List<String> uuids = new ArrayList<>();
        for (Future<String> f : created) {
            uuids.add(f.get());
        }
        clients.shutdown();
        long lastStart = 0;
        for (String uuid : uuids) {
            lastStart = Math.max(lastStart, startedAt(uuid));
        }
        return n * 1000.0 / Math.max(1, lastStart - t0);
    }

    private long[] runLowLoad(int n, long intervalMs) throws Exception {
        record Sent(long at, String uuid) {}
        List<Sent> sent = new ArrayList<>();
        long next = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            long wait = next - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            long t = System.currentTimeMillis();
            sent.add(new Sent(t, createTask()));
            next += intervalMs;
        }
        List<Long> latencies = new ArrayList<>();
        for (Sent s : sent) {
            latencies.add(startedAt(s.uuid()) - s.at());
        }
        Collections.sort(latencies);
        return new long[] {
            latencies.get(latencies.size() / 2), latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1)
        };
    }

    private String createTask() throws IOException, InterruptedException {
        String body =
                "{\"name\":\"bench_start_stamp\",\"namespace\":\"examples\",\"version\":\"1.0.0\",\"context\":{\"run\":\""
                        + UUID.randomUUID() + "\"},"
                        + "\"initiator\":\"bench\",\"source_system\":\"bench\",\"reason\":\"benchmark\",\"idempotency_key\":\""
                        + UUID.randomUUID() + "\"}";
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(create))
                        .header("Content-Type", "application/json")
                        .header("Authorization", auth)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = UUID_FIELD.matcher(r.body());
        if (r.statusCode() / 100 != 2 || !m.find()) {
            throw new IllegalStateException("create -> " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    /** Waits for the task to complete, then reads the handler's start stamp from its step. */
    private long startedAt(String uuid) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        while (true) {
            String task = get(worker + "/api/tasks/" + uuid);
            Matcher st = STATUS.matcher(task);
            String status = st.find() ? st.group(1) : "";
            if (status.equals("complete")) {
                Matcher m = STARTED.matcher(get(worker + "/api/tasks/" + uuid + "/steps"));
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
                throw new IllegalStateException("no start stamp on task " + uuid);
            }
            if (status.equals("error") || status.equals("cancelled") || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("task " + uuid + " did not complete: " + task);
            }
            Thread.sleep(5);
        }
    }

    private String get(String url) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", auth)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
