package io.tasker.worker.internal.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tasker.worker.api.logging.TaskerLog;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.ffi.TaskerNative;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Lines reach the engine's {@code log_*} functions with string-only fields (a fake native library records them). */
class EngineLogSinkTest {

    @Test
    void everyLevelReachesItsNativeFunctionWithStringFields() {
        List<String> calls = new CopyOnWriteArrayList<>();
        TaskerNative fake = (TaskerNative) Proxy.newProxyInstance(
                TaskerNative.class.getClassLoader(), new Class<?>[] {TaskerNative.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("log_")) {
                        calls.add(method.getName() + "|" + args[0] + "|" + args[1]);
                    }
                    return null;
                });
        EngineLogSink sink = new EngineLogSink(new TaskerFfi(fake, "fake.so", "test"));
        TaskerLog.addSink(sink);
        try (StepLogContext ignored = StepLogContext.open("t-1", "s-1", "h", null)) {
            TaskerLog.logError("e", Map.of("code", 7));
            TaskerLog.logWarn("w", Map.of("ok", false));
            TaskerLog.logInfo("i", null);
            TaskerLog.logDebug("d", Map.of("list", List.of(1)));
            TaskerLog.logTrace("t", Map.of("x", "y"));
        } finally {
            TaskerLog.removeSink(sink);
        }
        TaskerLog.logInfo("after removal", null);
        String ids = "\"task_uuid\":\"t-1\",\"step_uuid\":\"s-1\",\"handler_name\":\"h\"";
        assertEquals(
                List.of(
                        "log_error|e|{" + ids + ",\"code\":\"7\"}",
                        "log_warn|w|{" + ids + ",\"ok\":\"false\"}",
                        "log_info|i|{" + ids + "}",
                        "log_debug|d|{" + ids + ",\"list\":\"[1]\"}",
                        "log_trace|t|{" + ids + ",\"x\":\"y\"}"),
                calls);
    }

    @Test
    void noFieldsSendNull() {
        List<String> calls = new CopyOnWriteArrayList<>();
        TaskerNative fake = (TaskerNative) Proxy.newProxyInstance(
                TaskerNative.class.getClassLoader(), new Class<?>[] {TaskerNative.class}, (proxy, method, args) -> {
                    calls.add(method.getName() + "|" + args[1]);
                    return null;
                });
        new EngineLogSink(new TaskerFfi(fake, "fake.so", "test"))
                .write(io.tasker.worker.api.logging.LogLevel.INFO, "m", Map.of());
        assertEquals(List.of("log_info|null"), calls);
    }
}
