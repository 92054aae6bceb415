package io.tasker.worker.api.handler;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one {@link HttpClient} every API handler shares unless it supplies its own: a client holds a connection pool
 * and a selector thread, so one per handler (or per call) would waste both.
 */
final class SharedHttpClient {

    private SharedHttpClient() {}

    static HttpClient get() {
        return Holder.CLIENT;
    }

    /** Lazily created on first use, so deployments without API handlers never start it. */
    private static final class Holder {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }
}
