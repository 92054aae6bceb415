package io.tasker.worker.testsupport;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Test support: sleeps {@code sleep_ms} (default 1000) to keep a step in flight, e.g. across a shutdown. */
@StepHandler("slow_sleep")
@ApplicationScoped
public class SlowSleep extends BaseStepHandler {
    @Override
    public StepHandlerResult call(StepContext ctx) throws InterruptedException {
        Object requested = ctx.getInput("sleep_ms");
        long sleepMs = requested instanceof Number n ? n.longValue() : 1000;
        Thread.sleep(sleepMs);
        return success(Map.of("result", "slept", "slept_ms", sleepMs));
    }
}
