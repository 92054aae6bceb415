package io.tasker.worker.it.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Browsers ask for {@code /favicon.ico} on every page load; a missing file makes Liberty log a warning each time.
 * The worker serves its own icon, and the request leaves no line in {@code messages.log}.
 */
class FaviconIT {

    private static final Path MESSAGES = OpsHttp.serverDir().resolve("logs/messages.log");
    /** A messages.log line at level W or E: {@code [date] thread logger  W message}. */
    private static final Pattern WARNING_OR_ERROR = Pattern.compile("^\\[[^\\]]+] \\S+ \\S+\\s+[WE] ");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(OpsHttp.uri(path))
                        .timeout(Duration.ofSeconds(15))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Requests a missing file and waits until its warning is in messages.log: everything logged before is there. */
    private static String barrier() throws Exception {
        String name = "/missing-" + UUID.randomUUID() + ".ico";
        assertEquals(404, get(name).statusCode());
        long deadline =
                System.nanoTime() + OpsHttp.scaled(Duration.ofSeconds(20)).toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (Files.readString(MESSAGES, StandardCharsets.UTF_8).contains(name)) {
                return name;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "a missing file logged nothing in " + MESSAGES + ": the log check would prove nothing");
    }

    @Test
    void faviconIsServedWithoutAWarning() throws Exception {
        String before = barrier();
        HttpResponse<byte[]> icon = get("/favicon.ico");
        String after = barrier();

        assertEquals(200, icon.statusCode());
        assertTrue(
                icon.headers().firstValue("Content-Type").orElse("").startsWith("image/"),
                icon.headers().toString());
        byte[] magic = {0, 0, 1, 0};
        byte[] head = Arrays.copyOf(icon.body(), 4);
        assertArrayEquals(magic, head, "not an ICO file");

        String log = Files.readString(MESSAGES, StandardCharsets.UTF_8);
        String between = log.substring(log.indexOf(before), log.indexOf(after));
        // Warnings, errors and FFDC incidents; the test server's span exporter logs every request at level I.
        List<String> complaints = between.lines()
                .filter(l -> l.contains("favicon"))
                .filter(l -> WARNING_OR_ERROR.matcher(l).find() || l.contains("FFDC"))
                .toList();
        assertTrue(complaints.isEmpty(), "favicon.ico logged:\n" + String.join("\n", complaints));
    }
}
