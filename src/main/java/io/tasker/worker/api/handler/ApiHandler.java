package io.tasker.worker.api.handler;

import io.tasker.worker.api.BaseStepHandler;

import java.util.List;

/**
 * Base class for handlers that call HTTP APIs (the seed's {@code ApiHandler}): {@link BaseStepHandler} plus every
 * {@link ApiCapable} helper. Override {@link #baseUrl()}, {@link #defaultTimeout()} or {@link #defaultHeaders()}.
 *
 * <pre>{@code
 * @StepHandler("fetch_order") @ApplicationScoped
 * public class FetchOrder extends ApiHandler {
 *     @Override public String baseUrl() { return "https://orders.example.com"; }
 *
 *     @Override public StepHandlerResult call(StepContext ctx) {
 *         ApiResponse resp = get("/orders/" + ctx.getInput("order_id"), null, null);
 *         return resp.ok() ? apiSuccess(resp) : apiFailure(resp);
 *     }
 * }
 * }</pre>
 */
public abstract class ApiHandler extends BaseStepHandler implements ApiCapable {

    /** {@code ["process", "http", "api"]}. */
    @Override
    public List<String> capabilities() {
        return List.of("process", "http", "api");
    }
}
