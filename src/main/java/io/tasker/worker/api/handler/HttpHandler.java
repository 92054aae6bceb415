package io.tasker.worker.api.handler;

import io.tasker.worker.api.BaseStepHandler;
import java.util.List;

/**
 * Base class for handlers that call HTTP APIs (the TypeScript worker's {@code HttpHandler}): {@link BaseStepHandler} plus every
 * {@link HttpCapable} helper. Override {@link #baseUrl()}, {@link #defaultTimeout()} or {@link #defaultHeaders()}.
 *
 * <pre>{@code
 * @StepHandler("fetch_order") @ApplicationScoped
 * public class FetchOrder extends HttpHandler {
 *     @Override public String baseUrl() { return "https://orders.example.com"; }
 *
 *     @Override public StepHandlerResult call(StepContext ctx) {
 *         HttpReply resp = get("/orders/" + ctx.getInput("order_id"), null, null);
 *         return resp.ok() ? httpSuccess(resp) : httpFailure(resp);
 *     }
 * }
 * }</pre>
 */
public abstract class HttpHandler extends BaseStepHandler implements HttpCapable {

    /** {@code ["process", "http", "api"]}. */
    @Override
    public List<String> capabilities() {
        return List.of("process", "http", "api");
    }
}
