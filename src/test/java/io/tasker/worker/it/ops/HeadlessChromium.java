package io.tasker.worker.it.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own WebSocket client:
 * no WebDriver, no driver binary, nothing downloaded at test time.
 *
 * <p>Started as root-safe ({@code --no-sandbox}), with a fresh profile and every background network feature off
 * (this machine has no network but the package registries). Close it to end the browser and delete the profile.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path DEFAULT_BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> exceptions = Collections.synchronizedList(new ArrayList<>());
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());

    /** The binary to use: system property {@code chromium.binary}, else {@code /usr/bin/chromium}. */
    static Path binary() {
        return Path.of(System.getProperty("chromium.binary", DEFAULT_BINARY.toString()));
    }

    static HeadlessChromium launch(Path binary) throws Exception {
        Path profile = Files.createTempDirectory("tasker-chromium-");
        List<String> cmd = List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--mute-audio",
                "--window-size=1400,1100",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "about:blank");
        Process process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IOException("Chromium did not open its DevTools port: "
                            + Files.readString(profile.resolve("chromium.log")));
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            while (pageSocket == null) {
                HttpResponse<String> list = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                for (JsonNode target : JSON.readTree(list.body())) {
                    if ("page".equals(target.path("type").asText())) {
                        pageSocket = target.path("webSocketDebuggerUrl").asText();
                    }
                }
                if (pageSocket == null) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IOException("Chromium has no page target: " + list.body());
                    }
                    Thread.sleep(50);
                }
            }
            return new HeadlessChromium(process, profile, http, URI.create(pageSocket));
        } catch (Exception e) {
            process.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile, HttpClient http, URI pageSocket) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(pageSocket, new Listener())
                .get(15, TimeUnit.SECONDS);
        call("Runtime.enable", null);
        call("Page.enable", null);
    }

    /** Sends a command and waits for its result (the {@code result} member). */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode r = reply.get(30, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + " failed: " + r.get("error"));
        }
        return r.path("result");
    }

    void navigate(String url) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("url", url);
        call("Page.navigate", p);
    }

    /** Runs this script in every document from now on, before the page's own scripts (page CSP does not apply). */
    void onEveryPage(String source) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("source", source);
        call("Page.addScriptToEvaluateOnNewDocument", p);
    }

    /** Evaluates an expression in the page (promises awaited) and returns its JSON value. */
    JsonNode eval(String expression) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("expression", expression);
        p.put("returnByValue", true);
        p.put("awaitPromise", true);
        JsonNode r = call("Runtime.evaluate", p);
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    String evalString(String expression) throws Exception {
        JsonNode v = eval(expression);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    boolean evalBoolean(String expression) throws Exception {
        return eval(expression).asBoolean(false);
    }

    /** Waits until the expression is true in the page. */
    void await(String what, String expression, Duration timeout) throws Exception {
        awaitCondition(
                what,
                () -> {
                    try {
                        return evalBoolean(expression);
                    } catch (Exception e) {
                        return false;
                    }
                },
                timeout);
    }

    static void awaitCondition(String what, BooleanSupplier condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    void screenshot(Path file) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("format", "png");
        p.put("captureBeyondViewport", true);
        JsonNode r = call("Page.captureScreenshot", p);
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(r.path("data").asText()));
    }

    /** Uncaught exceptions reported by the page. */
    List<String> exceptions() {
        return List.copyOf(exceptions);
    }

    /** Console messages of level error or warning. */
    List<String> consoleProblems() {
        return List.copyOf(console);
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            socket.abort();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                dispatch(text);
            }
            ws.request(1);
            return null;
        }

        private void dispatch(String text) {
            try {
                JsonNode msg = JSON.readTree(text);
                if (msg.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                    if (f != null) {
                        f.complete(msg);
                    }
                } else if ("Runtime.exceptionThrown".equals(msg.path("method").asText())) {
                    exceptions.add(msg.path("params").path("exceptionDetails").toString());
                } else if ("Runtime.consoleAPICalled".equals(msg.path("method").asText())) {
                    String type = msg.path("params").path("type").asText();
                    if ("error".equals(type) || "warning".equals(type)) {
                        console.add(
                                type + ": " + msg.path("params").path("args").toString());
                    }
                }
            } catch (IOException e) {
                exceptions.add("unparseable DevTools message: " + e);
            }
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }
}
