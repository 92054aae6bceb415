package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The worker as a jar inside another application. The test assembles two exploded WARs from {@code src/it/}: the
 * host app (its own handlers, one in the event form, template, config with {@code tasker.web.enabled=false}, and a JAX-RS resource using the
 * injected {@code TaskerClient}) and an app with two handlers of the same name and two observers of another. Each gets only the attached classes
 * jar (no example handlers or templates) and the worker's runtime libraries. They run on a second Liberty server of
 * the same install ({@code headlessServer}, port {@code http.port + 1}), never in the main test server: one engine
 * per process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HeadlessAppIT {

    private static final String SERVER = "headlessServer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path basedir = Path.of("").toAbsolutePath();
    private final Path target = basedir.resolve("target");
    private final Path work = target.resolve("headless-it");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path wlp;
    private Path serverDir;
    private int port;
    private boolean running;

    @BeforeAll
    void createServer() throws Exception {
        String install = System.getProperty("wlp.install.dir");
        Assumptions.assumeTrue(
                install != null && Files.isDirectory(Path.of(install)),
                "needs the Liberty install of the build (failsafe)");
        wlp = Path.of(install);
        port = Integer.parseInt(System.getProperty("http.port", "9080")) + 1;
        serverDir = wlp.resolve("usr/servers").resolve(SERVER);
        deleteTree(serverDir);
        deleteTree(work);
        Files.createDirectories(work);
        run(120, "create", SERVER);
        Files.writeString(serverDir.resolve("jvm.options"), "--enable-native-access=ALL-UNNAMED\n");
    }

    @AfterAll
    void deleteServer() throws Exception {
        if (serverDir == null) {
            return;
        }
        try {
            stopServer();
        } finally {
            deleteTree(serverDir);
        }
    }

    @Test
    @Order(1)
    void hostAppRunsATaskThroughItsOwnHandlersWithTheWorkerHeadless() throws Exception {
        deploy(buildApp("headless-app"));
        startServer();
        awaitReady(180_000);

        HttpResponse<String> run = get("/host/run?value=6");
        assertEquals(200, run.statusCode(), run.body());
        JsonNode out = JSON.readTree(run.body());
        assertEquals("complete", out.path("status").asText(), out.toString());
        assertEquals(42, out.path("results").path("multiply").path("product").asInt(), out.toString());
        assertEquals(
                "product=42", out.path("results").path("label").path("label").asText(), out.toString());
        assertTrue(out.path("client_health").path("healthy").asBoolean(), out.toString());

        assertEquals(404, get("/api/tasks").statusCode(), "the worker's HTTP API must be off");
        assertEquals(404, get("/api/worker").statusCode(), "the worker's HTTP API must be off");

        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode health = JSON.readTree(ready.body());
        assertEquals("UP", health.path("status").asText(), ready.body());
        JsonNode worker = null;
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().startsWith("tasker-worker")) {
                worker = check;
            }
        }
        assertTrue(worker != null, "no worker check in " + ready.body());
        // Only the host's two handlers: no example handler came with the classes jar.
        assertEquals(2, worker.path("data").path("handler_count").asInt(), ready.body());
        assertEquals(4, worker.path("data").path("slots_total").asInt(), "the host's config applies: " + ready.body());
        assertTrue(worker.path("data").path("handler_limits").asText().contains("host_multiply"), ready.body());
        stopServer();
    }

    @Test
    @Order(2)
    void duplicateHandlerNamesStopTheDeploymentNamingBothClasses() throws Exception {
        deleteTree(serverDir.resolve("apps"));
        deleteTree(serverDir.resolve("logs"));
        deploy(buildApp("duplicate-app"));
        startServer();
        Path log = serverDir.resolve("logs/messages.log");
        String messages =
                awaitLog(log, "CWWKZ0002E", 180_000); // "An exception occurred while starting the application"
        assertTrue(messages.contains("Duplicate @StepHandler(\"same\")"), messages);
        assertTrue(
                messages.contains("io.tasker.dupapp.FirstSame") && messages.contains("io.tasker.dupapp.SecondSame"),
                "the message must name both classes: " + messages);
        assertTrue(
                messages.contains("Duplicate @StepHandler(\"same_observed\")")
                        && messages.contains("io.tasker.dupapp.FirstObserver.handle")
                        && messages.contains("io.tasker.dupapp.SecondObserver.handle"),
                "two observers of one name are reported too, naming both methods: " + messages);
        assertTrue(!messages.contains("CWWKZ0001I: Application duplicate-app started"), "the app must not start");
        stopServer();
    }

    // ---- the app ----

    /** Compiles {@code src/it/<name>/java} against the worker classes into an exploded WAR under target/headless-it. */
    private Path buildApp(String name) throws IOException {
        Path src = basedir.resolve("src/it").resolve(name);
        Path war = work.resolve(name + ".war");
        deleteTree(war);
        Path classes = Files.createDirectories(war.resolve("WEB-INF/classes"));
        Path lib = Files.createDirectories(war.resolve("WEB-INF/lib"));

        List<String> args = new ArrayList<>(List.of(
                "-d",
                classes.toString(),
                "--release",
                "17",
                "-proc:none",
                "-encoding",
                "UTF-8",
                "-cp",
                compileClasspath()));
        try (Stream<Path> files = Files.walk(src.resolve("java"))) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .map(Path::toString)
                    .forEach(args::add);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, err, err, args.toArray(String[]::new));
        assertEquals(0, rc, "compiling " + name + " failed: " + err.toString(StandardCharsets.UTF_8));
        copyTree(src.resolve("resources"), classes);

        // The worker as a library: the attached classes jar plus the runtime libraries the WAR packages.
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "tasker-worker*-classes.jar")) {
            int n = 0;
            for (Path jar : jars) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
                n++;
            }
            assertEquals(1, n, "expected one attached classes jar in " + target);
        }
        try (DirectoryStream<Path> jars =
                Files.newDirectoryStream(target.resolve("tasker-worker/WEB-INF/lib"), "*.jar")) {
            for (Path jar : jars) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }
        return war;
    }

    private static String compileClasspath() {
        // Failsafe runs from a manifest-only booter jar; the real test classpath is in this property.
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private void deploy(Path war) throws IOException {
        Path apps = Files.createDirectories(serverDir.resolve("apps"));
        copyTree(war, apps.resolve(war.getFileName()));
        String app = war.getFileName().toString();
        Files.writeString(serverDir.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <server description="host application embedding the Tasker worker">
                    <featureManager>
                        <feature>cdi-4.0</feature>
                        <feature>enterpriseBeansLite-4.0</feature>
                        <feature>concurrent-3.0</feature>
                        <feature>restfulWS-3.1</feature>
                        <feature>mpHealth-4.0</feature>
                        <feature>mpConfig-3.1</feature>
                    </featureManager>
                %s
                    <webApplication location="%s" contextRoot="/"/>
                </server>
                """.formatted(shippedEndpoint(), app));
    }

    /**
     * The port variables and HTTP endpoint of the shipped server.xml, verbatim: the server is started with only
     * {@code PORT} in its environment, so reaching it proves Liberty resolves the shipped {@code PORT} chain.
     */
    private String shippedEndpoint() throws IOException {
        String shipped = Files.readString(basedir.resolve("src/main/liberty/config/server.xml"));
        StringBuilder out = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<variable name=\"(PORT|http\\.port|http\\.host)\"[^>]*/>|<httpEndpoint [^>]*/>")
                .matcher(shipped);
        while (m.find()) {
            out.append("    ").append(m.group()).append('\n');
        }
        assertTrue(out.toString().contains("<httpEndpoint"), "no httpEndpoint in the shipped server.xml");
        return out.toString();
    }

    // ---- the server ----

    private void startServer() throws Exception {
        run(180, "start", SERVER);
        running = true;
    }

    private void stopServer() throws Exception {
        if (running) {
            running = false;
            run(120, "stop", SERVER);
        }
    }

    private void run(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(wlp.resolve("bin/server").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createDirectories(work).resolve("server-" + args[0] + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().remove("HTTP_PORT");
        pb.environment().remove("http_port");
        pb.environment().put("PORT", Integer.toString(port));
        Process p = pb.start();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "server " + args[0] + " did not return");
        assertEquals(0, p.exitValue(), "server " + String.join(" ", args) + " failed: " + Files.readString(out));
    }

    private void awaitReady(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = get("/health/ready");
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        Path log = serverDir.resolve("logs/messages.log");
        throw new AssertionError("host server not ready after " + timeoutMs + " ms: " + last + "\n"
                + (Files.exists(log) ? Files.readString(log) : "(no messages.log)"));
    }

    private static String awaitLog(Path log, String marker, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(marker)) {
                return text;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(marker + " not logged within " + timeoutMs + " ms:\n" + text);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    // ---- files ----

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
