package io.tasker.worker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Another Liberty server of the build's install, with its own JVM and port, for an IT that must not run in the
 * shared test server (one engine per process; lockouts, restarts and kills stay away from it). Created for one test
 * class and deleted after it ({@link #close()}).
 */
public final class SecondServer implements AutoCloseable {

    private final Path wlp;
    private final String name;
    private final Path dir;
    private final Path work;
    private final int port;
    private final List<String> notInherited = new ArrayList<>(List.of("HTTP_PORT", "http_port"));
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private boolean running;

    private SecondServer(Path wlp, String name, int port, Path work) {
        this.wlp = wlp;
        this.name = name;
        this.dir = wlp.resolve("usr/servers").resolve(name);
        this.port = port;
        this.work = work;
    }

    /**
     * A clean slate for server {@code name} on {@code http.port + portOffset}, its command logs under {@code work}.
     * Skips the test class when the build's Liberty install is absent (failsafe passes {@code wlp.install.dir}).
     */
    public static SecondServer prepare(String name, int portOffset, Path work) throws IOException {
        String install = System.getProperty("wlp.install.dir");
        Assumptions.assumeTrue(
                install != null && Files.isDirectory(Path.of(install)),
                "needs the Liberty install of the build (failsafe)");
        int port = Integer.parseInt(System.getProperty("http.port", "9080")) + portOffset;
        SecondServer server = new SecondServer(Path.of(install), name, port, work);
        deleteTree(server.dir);
        deleteTree(work);
        Files.createDirectories(work);
        return server;
    }

    /** Environment variables of the build the server must not see (its port always comes from the test). */
    public SecondServer notInheriting(String... variables) {
        notInherited.addAll(List.of(variables));
        return this;
    }

    public Path dir() {
        return dir;
    }

    public int port() {
        return port;
    }

    public Path messagesLog() {
        return dir.resolve("logs/messages.log");
    }

    /** {@code server create}: an empty server of the install's defaults. */
    public void create() throws Exception {
        run(120, Map.of(), "server", "create", name);
    }

    public void start(Map<String, String> env) throws Exception {
        running = true; // before the command: a start that fails half-way must still be stopped
        run(180, env, "server", "start", name);
    }

    public void stop() throws Exception {
        if (running) {
            running = false;
            run(120, Map.of(), "server", "stop", name);
        }
    }

    /** kill -9 of the server's JVM, if it runs. */
    public void kill() throws IOException {
        running = false;
        Path pidFile = wlp.resolve("usr/servers/.pid").resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        Files.deleteIfExists(pidFile);
    }

    /** Runs {@code bin/<tool> args…} with {@code PORT} and {@code env}; its output is the returned log. */
    public Path run(int timeoutSeconds, Map<String, String> env, String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(wlp.resolve("bin").resolve(tool).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createDirectories(work).resolve(tool + "-" + args[0] + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        notInherited.forEach(pb.environment()::remove);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), tool + " " + args[0] + " did not return");
        assertEquals(0, p.exitValue(), tool + " " + String.join(" ", args) + " failed: " + Files.readString(out));
        return out;
    }

    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
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
        Path log = messagesLog();
        throw new AssertionError(name + " not ready after " + timeout + ": " + last + "\n"
                + (Files.exists(log) ? Files.readString(log) : "(no messages.log)"));
    }

    /** The whole messages.log once it contains {@code marker}. */
    public String awaitLog(String marker, Duration timeout) throws Exception {
        Path log = messagesLog();
        long deadline = System.nanoTime() + timeout.toNanos();
        String text = "";
        while (System.nanoTime() - deadline < 0) {
            text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(marker)) {
                return text;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(marker + " not logged within " + timeout + ":\n" + text);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** Stops the server (or kills it when a clean stop fails) and deletes it. */
    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (Exception | AssertionError e) {
            kill();
            throw e;
        } finally {
            deleteTree(dir);
        }
    }

    public static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IOException("missing " + from);
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

    public static void deleteTree(Path dir) throws IOException {
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
