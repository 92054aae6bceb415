package io.tasker.worker.internal.runtime;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.tasker.worker.internal.ffi.TaskerNative;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** A scripted stand-in for the engine library, for failure paths the real engine cannot be made to take. */
final class FakeEngine implements TaskerNative {

    record Call(String function, String eventId, String json) {}

    final Queue<String> events = new ConcurrentLinkedQueue<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger frees = new AtomicInteger();
    volatile BiFunction<String, String, Integer> completeAnswer = (id, json) -> 1;
    /** Whether the fake exports the ABI extensions. */
    volatile boolean extensions;
    /** A batch completion's answer; by default each item's {@link #completeAnswer}. Null answers NULL. */
    volatile java.util.function.Function<List<Call>, String> batchAnswer;
    /** Time each batch poll takes, to let completions queue up behind it. */
    volatile long batchPollDelayMs;
    /** Time each completion call takes (as a durable engine's sync would), to let others queue up behind it. */
    volatile long completeDelayMs;

    final AtomicInteger batchPolls = new AtomicInteger();
    final AtomicInteger waits = new AtomicInteger();

    static String event(String eventId, String stepUuid, String callable) {
        return "{\"event_id\":\"" + eventId + "\",\"task_uuid\":\"t-" + eventId + "\",\"step_uuid\":\"" + stepUuid
                + "\","
                + "\"correlation_id\":\"c\",\"task\":{\"context\":{}},\"workflow_step\":{\"name\":\"s\",\"attempts\":0},"
                + "\"step_definition\":{\"handler\":{\"callable\":\"" + callable + "\",\"initialization\":{}}},"
                + "\"dependency_results\":{}}";
    }

    List<Call> calls(String function) {
        return calls.stream().filter(c -> c.function().equals(function)).toList();
    }

    private static Pointer string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }

    private Pointer record(String function, String json) {
        calls.add(new Call(function, null, null));
        return string(json);
    }

    @Override
    public Pointer get_version() {
        return string("0.0.0-fake");
    }

    @Override
    public Pointer get_rust_version() {
        return string("fake");
    }

    @Override
    public int health_check() {
        return 1;
    }

    @Override
    public int is_worker_running() {
        return 1;
    }

    @Override
    public Pointer bootstrap_worker(String configJson) {
        calls.add(new Call("bootstrap_worker", null, configJson));
        return string("{\"success\":true,\"status\":\"started\",\"worker_id\":\"java-worker-fake\"}");
    }

    @Override
    public Pointer get_worker_status() {
        return string("{\"success\":true,\"running\":true}");
    }

    @Override
    public Pointer stop_worker() {
        return record("stop_worker", "{\"success\":true,\"status\":\"stopped\"}");
    }

    @Override
    public Pointer transition_to_graceful_shutdown() {
        return record("transition_to_graceful_shutdown", "{\"success\":true,\"status\":\"transitioning\"}");
    }

    @Override
    public Pointer poll_step_events() {
        polls.incrementAndGet();
        String e = events.poll();
        return e == null ? null : string(e);
    }

    @Override
    public int complete_step_event(byte[] eventId, byte[] resultJson) {
        String id = text(eventId);
        String json = text(resultJson);
        calls.add(new Call("complete_step_event", id, json));
        sleep(completeDelayMs);
        return completeAnswer.apply(id, json);
    }

    @Override
    public int checkpoint_yield_step_event(byte[] eventId, byte[] checkpointJson) {
        calls.add(new Call("checkpoint_yield_step_event", text(eventId), text(checkpointJson)));
        return 1;
    }

    /** A NUL-terminated argument as the library would read it. */
    static String text(byte[] nulTerminated) {
        if (nulTerminated == null || nulTerminated.length == 0 || nulTerminated[nulTerminated.length - 1] != 0) {
            throw new AssertionError("argument is not NUL-terminated");
        }
        return new String(nulTerminated, 0, nulTerminated.length - 1, StandardCharsets.UTF_8);
    }

    @Override
    public Pointer get_ffi_dispatch_metrics() {
        return string("{\"pending_count\":0,\"starvation_detected\":false,\"starving_event_count\":0,"
                + "\"oldest_pending_age_ms\":null,\"newest_pending_age_ms\":null,\"oldest_event_id\":null}");
    }

    @Override
    public void check_starvation_warnings() {}

    @Override
    public void cleanup_timeouts() {}

    @Override
    public Pointer poll_in_process_events() {
        return null;
    }

    @Override
    public void log_error(String message, String fieldsJson) {}

    @Override
    public void log_warn(String message, String fieldsJson) {}

    @Override
    public void log_info(String message, String fieldsJson) {}

    @Override
    public void log_debug(String message, String fieldsJson) {}

    @Override
    public void log_trace(String message, String fieldsJson) {}

    @Override
    public void free_rust_string(Pointer ptr) {
        frees.incrementAndGet();
    }

    @Override
    public Pointer client_create_task(String requestJson) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_get_task(String taskUuid) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_list_tasks(String paramsJson) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_cancel_task(String taskUuid) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_list_task_steps(String taskUuid) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_get_step(String taskUuid, String stepUuid) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_get_step_audit_history(String taskUuid, String stepUuid) {
        return string("{\"success\":false,\"error\":\"fake\"}");
    }

    @Override
    public Pointer client_health_check() {
        return string("{\"success\":true,\"data\":{\"healthy\":true}}");
    }

    // ---- extensions, when enabled ----

    @Override
    public boolean hasExtensions() {
        return extensions;
    }

    @Override
    public Pointer poll_step_events_batch(int max) {
        requireExtensions();
        batchPolls.incrementAndGet();
        sleep(batchPollDelayMs);
        StringBuilder out = new StringBuilder();
        int n = 0;
        String e;
        while (n < max && (e = events.poll()) != null) {
            out.append(n++ == 0 ? '[' : ',').append(e);
        }
        return n == 0 ? null : string(out.append(']').toString());
    }

    @Override
    public Pointer complete_step_events_batch(byte[] itemsJson) {
        requireExtensions();
        String envelope = text(itemsJson);
        calls.add(new Call("complete_step_events_batch", null, envelope));
        sleep(completeDelayMs);
        List<Call> items = new java.util.ArrayList<>();
        try {
            for (com.fasterxml.jackson.databind.JsonNode pair :
                    io.tasker.worker.internal.Json.MAPPER.readTree(envelope)) {
                items.add(new Call(
                        "complete_step_event", pair.get(0).asText(), pair.get(1).toString()));
            }
        } catch (Exception ex) {
            throw new AssertionError("unreadable batch " + envelope, ex);
        }
        java.util.function.Function<List<Call>, String> answer = batchAnswer;
        String out;
        if (answer != null) {
            out = answer.apply(items);
        } else {
            StringBuilder b = new StringBuilder("[");
            for (Call c : items) {
                b.append(b.length() > 1 ? "," : "").append(completeAnswer.apply(c.eventId(), c.json()));
            }
            out = b.append(']').toString();
        }
        if (out != null) {
            calls.addAll(items); // applied only when the engine answered
        }
        return out == null ? null : string(out);
    }

    @Override
    public int wait_for_step_events(int timeoutMs) {
        requireExtensions();
        waits.incrementAndGet();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (events.isEmpty() && System.currentTimeMillis() < deadline) {
            sleep(1);
        }
        return events.isEmpty() ? 0 : 1;
    }

    private void requireExtensions() {
        if (!extensions) {
            throw new UnsupportedOperationException("extension called on a library without extensions");
        }
    }

    private static void sleep(long ms) {
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
