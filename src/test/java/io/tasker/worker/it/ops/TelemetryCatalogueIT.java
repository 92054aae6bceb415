package io.tasker.worker.it.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.tasker.worker.internal.telemetry.MetricsCatalogueTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the worker really exports matches the metrics catalogue in {@code docs/operations.md}.
 *
 * <p>The test server runs MicroProfile Telemetry with Liberty's bundled {@code logging} exporters
 * ({@code otel.metrics.exporter=logging}, {@code otel.traces.exporter=logging} as bootstrap properties), which
 * write every exported metric and span into {@code messages.log}. The test runs a task that succeeds, one that
 * fails and a checkpointing batch, then reads the exports of the scope {@code io.tasker.worker} back and checks names, units, types and
 * attribute keys against the catalogue, and that the step span carries the task and step UUIDs, the task's
 * correlation id and, for the failure, its error type.
 */
class TelemetryCatalogueIT {

    private static final Pattern METRIC = Pattern.compile(
            "LoggingMetricExporter.*?instrumentationScopeInfo=InstrumentationScopeInfo\\{name=io\\.tasker\\.worker,.*?"
                    + "name=(?<name>[^,]+), description=.*?, unit=(?<unit>[^,]*), type=(?<type>[A-Z_]+), data=(?<data>.*)$");
    private static final Pattern ATTRS = Pattern.compile("(?:getA|a)ttributes=\\{([^}]*)}");
    private static final Pattern KEY = Pattern.compile("(?:^|, )([a-z][a-z0-9_.]*)=");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Instruments this scenario cannot provoke on the embedded engine; the unit test still ties them to the code. */
    private static final Set<String> NOT_PROVOKED = Set.of("tasker.worker.completions.rejected");

    private static Path messages;

    @BeforeAll
    static void exporterConfigured() throws IOException {
        Path bootstrap = OpsHttp.serverDir().resolve("bootstrap.properties");
        Properties p = new Properties();
        if (Files.exists(bootstrap)) {
            try (var in = Files.newBufferedReader(bootstrap)) {
                p.load(in);
            }
        }
        boolean configured = "false".equals(p.getProperty("otel.sdk.disabled"))
                && "logging".equals(p.getProperty("otel.metrics.exporter"))
                && "logging".equals(p.getProperty("otel.traces.exporter"));
        if (!configured && System.getenv("CI") != null) {
            fail("The test server exports no telemetry to messages.log: set the otel.* bootstrap properties in the"
                    + " pom (REQUESTS-ops.md #2). Found in " + bootstrap + ": " + p);
        }
        assumeTrue(configured, "telemetry logging exporters not configured on the test server; skipped outside CI");
        messages = OpsHttp.serverDir().resolve("logs/messages.log");
    }

    record Exported(String name, String unit, String type, Set<String> attributeKeys, String data) {}

    @Test
    void exportedMetricsMatchTheCatalogueAndStepsAreTraced() throws Exception {
        Map<String, String[]> catalogue = catalogue();

        String okMarker = OpsHttp.newMarker();
        String failMarker = OpsHttp.newMarker();
        String ok = OpsHttp.createTask("linear_workflow", okMarker);
        String failing = OpsHttp.createTask("permanent_failure_workflow", failMarker);
        ObjectNode batchRequest =
                OpsHttp.taskRequest("batch_examples", "checkpointed_batch_processing", OpsHttp.newMarker());
        ((ObjectNode) batchRequest.get("context")).put("item_count", 100);
        String batch = OpsHttp.createTask(batchRequest); // its workers yield checkpoints
        OpsHttp.awaitTask(ok, OpsHttp::isComplete, Duration.ofSeconds(30));
        OpsHttp.awaitTask(failing, OpsHttp::isBlocked, Duration.ofSeconds(30));
        OpsHttp.awaitTask(batch, OpsHttp::isComplete, Duration.ofSeconds(60));

        Set<String> required = new TreeSet<>(catalogue.keySet());
        required.removeAll(NOT_PROVOKED);
        Map<String, Exported> exported = awaitExports(required, OpsHttp.scaled(Duration.ofSeconds(20)));

        List<String> problems = new ArrayList<>();
        for (Exported e : exported.values()) {
            String[] doc = catalogue.get(e.name());
            if (doc == null) {
                problems.add(e.name() + " is exported but not in the catalogue");
                continue;
            }
            if (!doc[0].equals(e.unit())) {
                problems.add(e.name() + ": unit " + e.unit() + ", catalogue says " + doc[0]);
            }
            if (!doc[1].equals(e.type())) {
                problems.add(e.name() + ": exported as " + e.type() + ", catalogue instrument exports " + doc[1]);
            }
            Set<String> allowed = new LinkedHashSet<>(List.of(doc[2].isEmpty() ? new String[0] : doc[2].split(",")));
            if (!allowed.equals(e.attributeKeys())) {
                problems.add(e.name() + ": attributes " + e.attributeKeys() + ", catalogue says " + allowed);
            }
            if (UUID.matcher(e.data()).find()) {
                problems.add(e.name() + " carries a UUID in its attributes: " + e.data());
            }
        }
        for (String name : required) {
            if (!exported.containsKey(name)) {
                problems.add(name + " is in the catalogue but was not exported");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));

        Exported failed = exported.get("tasker.worker.steps.failed");
        assertTrue(failed.data().contains("error.type=\"permanent_error\""), failed.data());
        Exported checkpoints = exported.get("tasker.worker.checkpoints.sent");
        assertTrue(checkpoints.data().contains("tasker.checkpoint.accepted=true"), checkpoints.data());
        Exported completed = exported.get("tasker.worker.steps.completed");
        assertTrue(completed.data().contains("tasker.handler.name=\"double_value\""), completed.data());

        String log = allLogs();
        Matcher span = Pattern.compile("LoggingSpanExporter.*'step double_value' : [0-9a-f]{32} [0-9a-f]{16} CONSUMER "
                        + "\\[tracer: io\\.tasker\\.worker:].*tasker\\.task\\.uuid=" + ok + ".*")
                .matcher(log);
        assertTrue(span.find(), "no 'step double_value' span for task " + ok + " in " + messages);
        assertTrue(span.group().contains("tasker.step.uuid="), span.group());
        String taskCorrelation = OpsHttp.task(ok).path("correlation_id").asText();
        assertTrue(span.group().contains("tasker.task.correlation_id=" + taskCorrelation), span.group());
        Matcher failedSpan = Pattern.compile(
                        "LoggingSpanExporter.*'step permanent_failure' .*tasker\\.task\\.uuid=" + failing + ".*")
                .matcher(log);
        assertTrue(failedSpan.find(), "no span for the failing step of task " + failing);
        assertTrue(failedSpan.group().contains("error.type=permanent_error"), failedSpan.group());
    }

    /**
     * An asynchronous handler ({@code http_examples.fetch_user_async}) calls an API served here that answers after
     * 200 ms: the task completes with the API's answer, and the step span, exported only once ended, covers the
     * stage and is not an error.
     */
    @Test
    void asynchronousHandlersAreTracedUntilTheirStageCompletes() throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/users/", ex -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out =
                    "{\"id\":5,\"name\":\"grace\",\"email\":\"grace@example.com\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        api.start();
        try {
            ObjectNode request = OpsHttp.taskRequest("http_examples", "user_profile_sync_async", OpsHttp.newMarker());
            ObjectNode context = (ObjectNode) request.get("context");
            context.put("api_base_url", "http://127.0.0.1:" + api.getAddress().getPort());
            context.put("user_id", 5);
            String task = OpsHttp.createTask(request);
            OpsHttp.awaitTask(task, OpsHttp::isComplete, Duration.ofSeconds(30));
            String steps = OpsHttp.get("/api/tasks/" + task + "/steps").body();
            assertTrue(steps.contains("\"GRACE\""), "the profile is built from the API's answer: " + steps);
        } finally {
            api.stop(0);
        }
        long deadline =
                System.nanoTime() + OpsHttp.scaled(Duration.ofSeconds(20)).toNanos();
        Pattern spanLine = Pattern.compile("LoggingSpanExporter.*'step http_examples\\.fetch_user_async' .*");
        Matcher span = spanLine.matcher(allLogs());
        boolean found = span.find();
        while (!found && System.nanoTime() - deadline < 0) {
            Thread.sleep(500);
            span = spanLine.matcher(allLogs());
            found = span.find();
        }
        assertTrue(found, "no 'step http_examples.fetch_user_async' span in " + messages);
        assertFalse(span.group().contains("error.type="), span.group());
    }

    /** messages.log and any rolled-over messages_*.log, oldest first. */
    private static String allLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(messages.getParent())) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("messages"))
                    .sorted()
                    .toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
            }
        }
        return all.toString();
    }

    /** name -> {unit, exported type, comma-joined attribute keys}, parsed from the document's table. */
    static Map<String, String[]> catalogue() throws Exception {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (String row : MetricsCatalogueTest.documentedRows(MetricsCatalogueTest.doc())) {
            String[] cells = row.split("\\|");
            String name = strip(cells[1]);
            String instrument = cells[2].strip();
            String unit = strip(cells[3]);
            String attrs = cells[4].strip().equals("–")
                    ? ""
                    : String.join(
                            ",",
                            java.util.Arrays.stream(cells[4].split(","))
                                    .map(TelemetryCatalogueIT::strip)
                                    .toList());
            String type = switch (instrument) {
                case "counter", "asynchronous counter" -> "LONG_SUM";
                case "histogram" -> "HISTOGRAM";
                case "asynchronous gauge" -> "LONG_GAUGE";
                default -> throw new AssertionError("unknown instrument '" + instrument + "' in row " + row);
            };
            out.put(name, new String[] {unit, type, attrs});
        }
        assertFalse(out.isEmpty(), "empty catalogue");
        return out;
    }

    private static String strip(String cell) {
        return cell.strip().replace("`", "");
    }

    /** Reads messages.log until the latest export of every required metric has been seen, or the time is up. */
    private static Map<String, Exported> awaitExports(Set<String> required, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long startedAt = System.currentTimeMillis();
        Map<String, Exported> latest = new LinkedHashMap<>();
        while (true) {
            latest.clear();
            for (String line : Files.readAllLines(messages, StandardCharsets.UTF_8)) {
                Matcher m = METRIC.matcher(line);
                if (m.find()) {
                    Set<String> keys = new TreeSet<>();
                    Matcher a = ATTRS.matcher(m.group("data"));
                    while (a.find()) {
                        Matcher k = KEY.matcher(a.group(1));
                        while (k.find()) {
                            keys.add(k.group(1));
                        }
                    }
                    latest.put(
                            m.group("name"),
                            new Exported(m.group("name"), m.group("unit"), m.group("type"), keys, m.group("data")));
                }
            }
            boolean failedSeen = latest.containsKey("tasker.worker.steps.failed");
            if ((latest.keySet().containsAll(required) && failedSeen && System.currentTimeMillis() - startedAt > 2500)
                    || System.nanoTime() - deadline > 0) {
                return latest;
            }
            Thread.sleep(500);
        }
    }
}
