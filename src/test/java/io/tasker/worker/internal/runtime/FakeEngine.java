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
    public int complete_step_event(String eventId, String resultJson) {
        calls.add(new Call("complete_step_event", eventId, resultJson));
        return completeAnswer.apply(eventId, resultJson);
    }

    @Override
    public int checkpoint_yield_step_event(String eventId, String checkpointJson) {
        calls.add(new Call("checkpoint_yield_step_event", eventId, checkpointJson));
        return 1;
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
}
