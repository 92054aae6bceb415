package io.tasker.worker.testsupport;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Test support for crash and restart tests: records the execution, sleeps {@code sleep_ms} (default 0), and returns
 * the previous step's {@code result} plus one ({@code initialization.previous} names that step; {@code none} for
 * the first) with an {@code execution_id} unique to this execution, so a step that ran again has a different stored
 * result.
 *
 * <p>With {@code execution_log} in the task context (a plain name), every execution first appends the line
 * {@code <step_uuid> <event_id> <attempt> <execution_id>} to {@code ${server.output.dir}/execution-logs/<name>.log}.
 * Without it, or outside Liberty, nothing is written.
 */
@StepHandler("recorded_sleep")
@ApplicationScoped
public class RecordedSleep extends BaseStepHandler {

    private static final Pattern LOG_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Object LOCK = new Object();

    @Override
    public StepHandlerResult call(StepContext ctx) throws InterruptedException {
        String executionId = UUID.randomUUID().toString();
        int attempt = ctx.info().getRetryCount() + 1;
        record(
                ctx,
                ctx.info().getStepUuid() + " " + ctx.info().getEventId() + " " + attempt + " " + executionId + "\n");
        Object requested = ctx.getInput("sleep_ms");
        long sleepMs = requested instanceof Number n ? n.longValue() : 0;
        if (sleepMs > 0) {
            Thread.sleep(sleepMs);
        }
        String previous = ctx.getConfig("previous", String.class);
        long value = 1;
        if (previous != null
                && !"none".equals(previous)
                && ctx.getDependencyField(previous, "result") instanceof Number n) {
            value = n.longValue() + 1;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", value);
        out.put("execution_id", executionId);
        out.put("attempt", attempt);
        return success(out);
    }

    private static void record(StepContext ctx, String line) {
        Object name = ctx.getInput("execution_log");
        String outputDir = System.getProperty("server.output.dir");
        if (!(name instanceof String s) || !LOG_NAME.matcher(s).matches() || outputDir == null) {
            return;
        }
        Path file = Path.of(outputDir, "execution-logs", s + ".log");
        synchronized (LOCK) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(
                        file,
                        line,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the execution in " + file, e);
            }
        }
    }
}
