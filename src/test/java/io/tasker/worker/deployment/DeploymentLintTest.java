package io.tasker.worker.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Lints the deployment artefacts that cannot be built here (no container engine on these machines): the
 * Containerfile, the Kubernetes manifest, ops.xml and web.xml, against each other and against the project.
 */
public class DeploymentLintTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Pattern PROBE = Pattern.compile(
            "(startupProbe|livenessProbe|readinessProbe):\\s*\\n\\s*httpGet:\\s*\\n\\s*path:\\s*(\\S+)");

    private static String read(String relative) throws Exception {
        Path p = ROOT.resolve(relative);
        assertTrue(Files.isRegularFile(p), relative + " is missing");
        return Files.readString(p);
    }

    /** Containerfile instructions, with line continuations joined and comments dropped. */
    private static List<String> instructions() throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : read("Containerfile").lines().toList()) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            if (current.length() > 0) {
                out.add(current.toString().strip());
            }
            current.setLength(0);
        }
        return out;
    }

    private static int indexOf(List<String> instructions, String regex) {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < instructions.size(); i++) {
            if (p.matcher(instructions.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void containerfileCopiesOnlyWhatExists() throws Exception {
        List<String> ins = instructions();
        String warName = Pattern.compile("<finalName>([^<]+)</finalName>")
                        .matcher(read("pom.xml"))
                        .results()
                        .map(m -> m.group(1))
                        .findFirst()
                        .orElse("tasker-worker-jakarta-0.1.0-SNAPSHOT")
                + ".war";
        int copies = 0;
        for (String in : ins) {
            if (!in.startsWith("COPY ")) {
                continue;
            }
            copies++;
            List<String> args = new ArrayList<>(List.of(in.substring(5).trim().split("\\s+")));
            boolean fromStage = args.stream().anyMatch(a -> a.startsWith("--from="));
            args.removeIf(a -> a.startsWith("--"));
            List<String> sources = args.subList(0, args.size() - 1);
            for (String src : sources) {
                if (fromStage) {
                    assertTrue(
                            src.endsWith("/target/" + warName),
                            "stage copy must take the pom's WAR " + warName + ": " + in);
                } else {
                    assertTrue(Files.exists(ROOT.resolve(src)), "COPY source missing in the repository: " + src);
                }
            }
        }
        assertTrue(copies >= 3, "expected the pom, sources, config and WAR copies: " + ins);
    }

    @Test
    void containerfileFollowsTheLibertyImagePattern() throws Exception {
        List<String> ins = instructions();
        assertTrue(indexOf(ins, "^FROM \\S+ AS build$") == 0, "stage 1 first: " + ins.get(0));
        int runtime = indexOf(ins, "^FROM icr\\.io/appcafe/open-liberty:kernel-slim-java21-openj9-ubi-minimal$");
        int config = indexOf(ins, "^COPY --chown=1001:0 src/main/liberty/config/ /config/$");
        int features = indexOf(ins, "^RUN features\\.sh$");
        int war = indexOf(ins, "^COPY --chown=1001:0 --from=build \\S+\\.war /config/apps/");
        int configure = indexOf(ins, "^RUN configure\\.sh$");
        assertTrue(
                runtime > 0 && runtime < config && config < features && features < war && war < configure,
                "expected FROM kernel-slim, COPY config, RUN features.sh, COPY war, RUN configure.sh in order: " + ins);
        assertTrue(indexOf(ins, "^HEALTHCHECK .*/health/live") > runtime, "HEALTHCHECK on /health/live");
        assertTrue(indexOf(ins, "cargo") < 0 || indexOf(ins, "cargo") < runtime, "no Rust in the runtime stage");

        // The WAR lands where server.xml's webApplication points.
        String server = read("src/main/liberty/config/server.xml");
        Matcher loc =
                Pattern.compile("<webApplication[^>]*location=\"([^\"]+)\"").matcher(server);
        assertTrue(loc.find(), "server.xml has no webApplication");
        assertTrue(ins.get(war).endsWith("/config/apps/" + loc.group(1)), ins.get(war) + " vs " + loc.group(1));
    }

    @Test
    void exposedPortIsTheManifestsContainerPort() throws Exception {
        List<String> ins = instructions();
        String expose = ins.get(indexOf(ins, "^EXPOSE "));
        String manifest = read("deploy/k8s/tasker-worker.yaml");
        Matcher port = Pattern.compile("containerPort:\\s*(\\d+)").matcher(manifest);
        assertTrue(port.find());
        assertEquals("EXPOSE " + port.group(1), expose);
        assertTrue(
                read("src/main/liberty/config/server.xml").contains("defaultValue=\"" + port.group(1) + "\""),
                "server.xml's default http.port is the container port");
    }

    /** The probe paths in the manifest, by probe kind. */
    public static Map<String, String> probePaths() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PROBE.matcher(read("deploy/k8s/tasker-worker.yaml"));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    @Test
    void probesUseTheHealthEndpointsTheWorkerImplements() throws Exception {
        assertEquals(
                Map.of(
                        "startupProbe",
                        "/health/started",
                        "livenessProbe",
                        "/health/live",
                        "readinessProbe",
                        "/health/ready"),
                probePaths());
        // Each endpoint has at least one check of its kind in the worker's code.
        Set<String> kinds = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                if (!src.contains("HealthCheck")) {
                    continue;
                }
                if (src.contains("@Liveness")) {
                    kinds.add("live");
                }
                if (src.contains("@Readiness")) {
                    kinds.add("ready");
                }
                if (src.contains("@org.eclipse.microprofile.health.Startup")
                        || src.contains("import org.eclipse.microprofile.health.Startup;")) {
                    kinds.add("started");
                }
            }
        }
        assertEquals(Set.of("live", "ready", "started"), kinds);
    }

    @Test
    void terminationGraceExceedsTheWorkersDrain() throws Exception {
        Properties defaults = new Properties();
        try (InputStream in =
                Files.newInputStream(ROOT.resolve("src/main/resources/META-INF/microprofile-config.properties"))) {
            defaults.load(in);
        }
        long graceMs = Long.parseLong(defaults.getProperty("tasker.worker.shutdown-grace-ms"));
        String manifest = read("deploy/k8s/tasker-worker.yaml");
        Matcher t = Pattern.compile("terminationGracePeriodSeconds:\\s*(\\d+)").matcher(manifest);
        assertTrue(t.find());
        Matcher pre = Pattern.compile("preStop:\\s*\\n\\s*sleep:\\s*\\n\\s*seconds:\\s*(\\d+)")
                .matcher(manifest);
        long preStop = pre.find() ? Long.parseLong(pre.group(1)) : 0;
        long tomlGrace = Pattern.compile("shutdown_grace_ms\\s*=\\s*(\\d+)")
                .matcher(manifest)
                .results()
                .mapToLong(r -> Long.parseLong(r.group(1)))
                .max()
                .orElse(graceMs);
        long drainSeconds = (Math.max(graceMs, tomlGrace) + 999) / 1000;
        assertTrue(
                Long.parseLong(t.group(1)) > preStop + drainSeconds,
                "terminationGracePeriodSeconds " + t.group(1) + " must exceed preStop " + preStop + " s + drain "
                        + drainSeconds + " s");
        for (String env : List.of("TASKER_ENV", "TASKER_CONFIG_PATH", "TASKER_FFI_LIBRARY_PATH", "DATABASE_URL")) {
            assertTrue(manifest.contains("name: " + env), "manifest mentions " + env);
        }
    }

    @Test
    void configMapTomlUsesOnlyKnownSettings() throws Exception {
        String manifest = read("deploy/k8s/tasker-worker.yaml");
        Matcher block = Pattern.compile("(?m)^  tasker\\.toml: \\|\\n((?:    .*\\n|\\s*\\n)+)")
                .matcher(manifest);
        assertTrue(block.find(), "the ConfigMap carries a tasker.toml");
        String toml = block.group(1)
                .lines()
                .map(l -> l.length() >= 4 ? l.substring(4) : l)
                .collect(java.util.stream.Collectors.joining("\n"));
        org.tomlj.TomlParseResult parsed = org.tomlj.Toml.parse(toml);
        assertTrue(parsed.errors().isEmpty(), parsed.errors().toString());
        Set<String> known = new TreeSet<>();
        for (io.tasker.worker.internal.config.ConfigKey k : io.tasker.worker.internal.config.ConfigKey.values()) {
            known.add(k.key());
        }
        List<String> unknown = new ArrayList<>();
        for (String dotted : parsed.dottedKeySet()) {
            String key = dotted.startsWith("environments.") ? dotted.substring(dotted.indexOf('.', 13) + 1) : dotted;
            String property = "tasker." + key.replace('_', '-');
            if (!known.contains(property)) {
                unknown.add(dotted + " -> " + property);
            }
        }
        assertTrue(unknown.isEmpty(), "settings the worker does not know: " + unknown);
        assertTrue(parsed.dottedKeySet().size() >= 3, parsed.dottedKeySet().toString());
    }

    private static Document xml(String relative) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = Files.newInputStream(ROOT.resolve(relative))) {
            return f.newDocumentBuilder().parse(in);
        }
    }

    private static List<String> texts(Document d, String tag) {
        NodeList nodes = d.getElementsByTagNameNS("*", tag);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().strip());
        }
        return out;
    }

    @Test
    void securityConfigurationIsConsistent() throws Exception {
        Document ops = xml("src/main/liberty/config/ops.xml");
        List<String> features = texts(ops, "feature");
        assertTrue(features.contains("appSecurity-5.0") && features.contains("mpTelemetry-2.1"), features.toString());

        Document web = xml("src/main/webapp/WEB-INF/web.xml");
        List<String> roles = texts(web, "role-name");
        assertTrue(roles.stream().allMatch("tasker-operator"::equals) && !roles.isEmpty(), roles.toString());
        // Basic authentication is the application's throttled mechanism; Liberty refuses a login-config next to it.
        assertEquals(List.of(), texts(web, "auth-method"));
        assertTrue(Files.exists(Path.of("src/main/java/io/tasker/worker/security/ThrottledBasicAuthentication.java")));
        assertEquals(Set.of("/api/tasks/*", "/api/worker/*"), new TreeSet<>(texts(web, "url-pattern")));
        assertEquals(Set.of("POST", "PUT", "PATCH", "DELETE"), new TreeSet<>(texts(web, "http-method")));

        // The role is granted through the registry group of the same name.
        NodeList groups = ops.getElementsByTagNameNS("*", "group");
        boolean found = false;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if ("tasker-operator".equals(g.getAttribute("name"))
                    && g.getElementsByTagNameNS("*", "member").getLength() > 0) {
                found = true;
            }
        }
        assertTrue(found, "ops.xml's basicRegistry needs a group tasker-operator with the operator as member");
        assertTrue(
                read("src/main/liberty/config/server.xml").contains("${server.config.dir}/ops.xml"),
                "server.xml includes ops.xml");
    }
}
