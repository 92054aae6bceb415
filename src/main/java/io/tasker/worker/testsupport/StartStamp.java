package io.tasker.worker.testsupport;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Benchmark support: records when the handler started (epoch milliseconds, this machine's clock), so a client on the
 * same machine can measure create → handler start on any backend without reading engine internals.
 */
@StepHandler("start_stamp")
@ApplicationScoped
public class StartStamp extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) {
        return success(Map.of("started_at_ms", System.currentTimeMillis()));
    }
}
