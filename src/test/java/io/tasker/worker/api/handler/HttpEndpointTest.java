package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.ResultAssert;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP helpers against a local stub server on 127.0.0.1. */
class HttpEndpointTest {

    private HttpServer server;
    private java.util.concurrent.ExecutorService pool;
    private String base;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/echo", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " ct="
                    + ex.getRequestHeaders().getFirst("Content-Type") + " x="
                    + ex.getRequestHeaders().getFirst("X-Api-Key") + " body=" + body);
            byte[] out = ("{\"method\":\"" + ex.getRequestMethod() + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.createContext("/text", ex -> {
            byte[] out = "plain".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.createContext("/limited", ex -> {
            byte[] out = "{\"error\":\"too many\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("Retry-After", "12");
            ex.sendResponseHeaders(429, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        // A pool, so the slow endpoint does not hold up the others.
        pool = java.util.concurrent.Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        pool.shutdownNow();
    }

    private HttpCapable client(Duration timeout) {
        String url = base;
        return new HttpCapable() {
            @Override
            public String baseUrl() {
                return url;
            }

            @Override
            public Duration defaultTimeout() {
                return timeout;
            }

            @Override
            public Map<String, String> defaultHeaders() {
                return Map.of("X-Api-Key", "k1");
            }
        };
    }

    @Test
    void getWithQueryParamsSkipsNulls() {
        Map<String, Object> params = new HashMap<>();
        params.put("q", "a b");
        params.put("skip", null);
        HttpReply r = client(Duration.ofSeconds(5)).get("/echo", params, null);
        assertEquals(200, r.statusCode());
        assertEquals(Map.of("method", "GET"), r.body());
        assertEquals("GET /echo?q=a%20b ct=null x=k1 body=", seen.get(0));
    }

    @Test
    void postPutPatchSendJson() {
        HttpCapable c = client(Duration.ofSeconds(5));
        c.post("/echo", Map.of("a", 1), null);
        c.put("/echo", Map.of("b", true), Map.of("X-Api-Key", "override"));
        c.patch("/echo", "{\"raw\":1}", Map.of("Content-Type", "application/merge-patch+json"));
        HttpReply d = c.delete("/echo", null);
        assertEquals(Map.of("method", "DELETE"), d.body());
        assertEquals("POST /echo ct=application/json x=k1 body={\"a\":1}", seen.get(0));
        assertEquals("PUT /echo ct=application/json x=override body={\"b\":true}", seen.get(1));
        assertEquals("PATCH /echo ct=application/merge-patch+json x=k1 body={\"raw\":1}", seen.get(2));
    }

    @Test
    void textBodiesStayText() {
        HttpReply r = client(Duration.ofSeconds(5)).get("/text", null, null);
        assertEquals("plain", r.body());
        assertTrue(r.headers().containsKey("content-type"));
    }

    @Test
    void rateLimitedResponseBecomesARetryableFailureWithBackoff() {
        HttpCapable c = client(Duration.ofSeconds(5));
        StepHandlerResult f = c.httpFailure(c.get("/limited", null, null));
        ResultAssert.assertThat(f)
                .isRetryable()
                .hasErrorType("rate_limited")
                .hasErrorMessage("HTTP 429: too many")
                .hasStatusCode(429)
                .hasRetryAfter(12)
                .hasMetadata("retry_after_seconds", 12);
    }

    @Test
    void timeoutIsClassifiedAutomatically() {
        HttpTransportException e = assertThrows(
                HttpTransportException.class,
                () -> client(Duration.ofMillis(200)).get("/slow", null, null));
        assertTrue(e.isTimeout());
        ResultAssert.assertThat(e.toResult())
                .isRetryable()
                .hasErrorType("timeout")
                .hasErrorMessageContaining("Request timeout while GET " + base + "/slow: ");
    }

    @Test
    void refusedConnectionFromAHandlerIsReportedAsConnectionError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        ExecutableHandler handler = new HttpHandler() {
            @Override
            public String baseUrl() {
                return url;
            }

            @Override
            public StepHandlerResult call(io.tasker.worker.api.StepContext ctx) {
                return httpSuccess(get("/anything", null, null)); // never reached: no connection
            }
        };
        StepHandlerResult r = HandlerTester.run(handler, HandlerTester.context().build());
        ResultAssert.assertThat(r)
                .isRetryable()
                .hasErrorType("connection_error")
                .hasErrorMessageContaining("Connection error while GET " + url + "/anything")
                .hasMetadata("exception_type", "ConnectException");
    }

    @Test
    void attemptReturnsTheClassifiedResult() {
        HttpCapable c = client(Duration.ofMillis(200));
        StepHandlerResult r = c.attempt(() -> c.httpSuccess(c.get("/slow", null, null)));
        ResultAssert.assertThat(r).isRetryable().hasErrorType("timeout");
        ResultAssert.assertThat(c.attempt(() -> c.httpSuccess(c.get("/echo", null, null))))
                .isSuccess()
                .hasResultAt("method", "GET");
    }

    @Test
    void apiHandlerCapabilities() {
        HttpHandler h = new HttpHandler() {
            @Override
            public StepHandlerResult call(io.tasker.worker.api.StepContext ctx) {
                return success(Map.of());
            }
        };
        assertEquals(List.of("process", "http", "api"), h.capabilities());
    }
}
