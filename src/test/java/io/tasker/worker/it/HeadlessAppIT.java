package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
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
    private SecondServer server;

    @BeforeAll
    void createServer() throws Exception {
        server = SecondServer.prepare(SERVER, 1, work);
        server.create();
        Files.writeString(server.dir().resolve("jvm.options"), "--enable-native-access=ALL-UNNAMED\n");
    }

    @AfterAll
    void deleteServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void hostAppRunsATaskThroughItsOwnHandlersWithTheWorkerHeadless() throws Exception {
        deploy(buildApp("headless-app"));
        server.start(Map.of());
        server.awaitReady(Duration.ofSeconds(180));

        HttpResponse<String> run = server.get("/host/run?value=6");
        assertEquals(200, run.statusCode(), run.body());
        JsonNode out = JSON.readTree(run.body());
        assertEquals("complete", out.path("status").asText(), out.toString());
        assertEquals(42, out.path("results").path("multiply").path("product").asInt(), out.toString());
        assertEquals(
                "product=42", out.path("results").path("label").path("label").asText(), out.toString());
        assertTrue(out.path("client_health").path("healthy").asBoolean(), out.toString());

        assertEquals(404, server.get("/api/tasks").statusCode(), "the worker's HTTP API must be off");
        assertEquals(404, server.get("/api/worker").statusCode(), "the worker's HTTP API must be off");

        HttpResponse<String> ready = server.get("/health/ready");
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
        server.stop();
    }

    @Test
    @Order(2)
    void duplicateHandlerNamesStopTheDeploymentNamingBothClasses() throws Exception {
        SecondServer.deleteTree(server.dir().resolve("apps"));
        SecondServer.deleteTree(server.dir().resolve("logs"));
        deploy(buildApp("duplicate-app"));
        server.start(Map.of());
        // "An exception occurred while starting the application"
        String messages = server.awaitLog("CWWKZ0002E", Duration.ofSeconds(180));
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
        server.stop();
    }

    // ---- the app ----

    /** Compiles {@code src/it/<name>/java} against the worker classes into an exploded WAR under target/headless-it. */
    private Path buildApp(String name) throws IOException {
        Path src = basedir.resolve("src/it").resolve(name);
        Path war = work.resolve(name + ".war");
        SecondServer.deleteTree(war);
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
        if (Files.isDirectory(src.resolve("resources"))) {
            SecondServer.copyTree(src.resolve("resources"), classes);
        }

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
        Path apps = Files.createDirectories(server.dir().resolve("apps"));
        SecondServer.copyTree(war, apps.resolve(war.getFileName()));
        String app = war.getFileName().toString();
        Files.writeString(server.dir().resolve("server.xml"), """
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
}
