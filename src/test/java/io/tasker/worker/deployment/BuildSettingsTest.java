package io.tasker.worker.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What the pom resolves to under the environments and flags the README documents, read from Maven's own effective
 * pom ({@code help:effective-pom} in a child Maven, with exactly the given environment): the HTTP port precedence,
 * {@code -DskipTests} reaching the cargo tests, and telemetry only on the test server.
 */
class BuildSettingsTest {

    private static final String HELP = "org.apache.maven.plugins:maven-help-plugin:3.5.1:effective-pom";

    @TempDir
    Path tmp;

    /** The effective pom with PORT/HTTP_PORT set as given (absent when null) and the given -D flags. */
    private Document effectivePom(String port, String httpPort, String... flags) throws Exception {
        Path out = tmp.resolve("effective-" + System.nanoTime() + ".xml");
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-N", HELP, "-Doutput=" + out));
        command.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                        .toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("PORT");
        env.remove("HTTP_PORT");
        if (port != null) {
            env.put("PORT", port);
        }
        if (httpPort != null) {
            env.put("HTTP_PORT", httpPort);
        }
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mvn effective-pom did not finish");
        assertEquals(0, p.exitValue(), "mvn " + command + " failed:\n" + log);
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.toFile());
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The port liberty:run/dev write into bootstrap.properties (which beats any environment variable inside
     * Liberty), as interpolated: the effective pom's own properties section leaves out -D overrides.
     */
    private static String port(Document pom) {
        Element config = child(plugin(pom, "liberty-maven-plugin"), "configuration");
        return child(child(config, "bootstrapProperties"), "http.port")
                .getTextContent()
                .strip();
    }

    private static Element plugin(Document pom, String artifactId) {
        NodeList plugins =
                child(child(pom.getDocumentElement(), "build"), "plugins").getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            if (artifactId.equals(child(p, "artifactId").getTextContent().strip())) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + artifactId);
    }

    private static Element execution(Element plugin, String id) {
        NodeList executions = child(plugin, "executions").getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            if (id.equals(child(e, "id").getTextContent().strip())) {
                return e;
            }
        }
        throw new AssertionError("no execution " + id);
    }

    private static String cargoTestSkip(Document pom) {
        return child(child(execution(plugin(pom, "exec-maven-plugin"), "cargo-test"), "configuration"), "skip")
                .getTextContent()
                .strip();
    }

    @Test
    void httpPortWinsOverPortAndTheCommandLineOverBoth() throws Exception {
        Document plain = effectivePom(null, null);
        assertEquals("9080", port(plain));
        assertEquals("false", cargoTestSkip(plain), "plain builds run the cargo tests");

        assertEquals("9555", port(effectivePom("9555", null)), "PORT alone");
        assertEquals("9666", port(effectivePom(null, "9666")), "HTTP_PORT alone");
        Document both = effectivePom("9555", "9666", "-DskipTests");
        assertEquals("9666", port(both), "HTTP_PORT beats PORT");
        assertEquals("true", cargoTestSkip(both), "-DskipTests skips the cargo tests");

        Document all = effectivePom("9555", "9666", "-Dhttp.port=9777", "-Dmaven.test.skip=true");
        assertEquals("9777", port(all), "-Dhttp.port beats both variables");
        assertEquals("true", cargoTestSkip(all), "-Dmaven.test.skip skips the cargo tests");
    }

    @Test
    void telemetryIsOnForTheTestServerOnly() throws Exception {
        Element liberty = plugin(effectivePom(null, null), "liberty-maven-plugin");
        // liberty:run and liberty:dev use the plugin-level configuration: no otel.* there, so Liberty's default (off).
        Element runProps = child(child(liberty, "configuration"), "bootstrapProperties");
        for (Node n = runProps.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                assertFalse(
                        e.getTagName().startsWith("otel."),
                        "liberty:run/dev would export telemetry: " + e.getTagName());
            }
        }
        // The test server (pre-integration-test) exports with the logging exporters, for TelemetryCatalogueIT.
        Element testProps = child(child(execution(liberty, "start-liberty"), "configuration"), "bootstrapProperties");
        assertEquals(
                "false", child(testProps, "otel.sdk.disabled").getTextContent().strip());
        assertEquals(
                "logging",
                child(testProps, "otel.metrics.exporter").getTextContent().strip());
        assertNotNull(child(testProps, "http.port"), "the test server keeps the port from the plugin configuration");
    }

    @Test
    void serverXmlLeavesThePortToBootstrapPropertiesAndTheEnvironment() throws Exception {
        // Inside Liberty a variable's defaultValue is the weakest source: bootstrap.properties (Maven) and the
        // environment (HTTP_PORT, found for http.port by Liberty's name mangling) both replace it; PORT only
        // feeds the default.
        Document server = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                        .resolve("src/main/liberty/config/server.xml")
                        .toFile());
        NodeList variables = server.getElementsByTagName("variable");
        String httpPortDefault = null;
        for (int i = 0; i < variables.getLength(); i++) {
            Element v = (Element) variables.item(i);
            if (v.getAttribute("name").equals("http.port")) {
                assertFalse(
                        v.hasAttribute("value"), "a value attribute would override bootstrap.properties and HTTP_PORT");
                httpPortDefault = v.getAttribute("defaultValue");
            }
        }
        assertEquals("${PORT}", httpPortDefault);
        Element endpoint = (Element) server.getElementsByTagName("httpEndpoint").item(0);
        assertEquals("${http.port}", endpoint.getAttribute("httpPort"));
    }
}
