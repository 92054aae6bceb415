package io.tasker.worker.internal.ffi;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Typed access to the engine. Every string the engine returns is copied and released here, in {@link #take}, so no
 * other class ever touches a native pointer. The allocation and free counters let tests assert that nothing leaks.
 *
 * <p>Thread-safe: the engine serialises calls itself. Calls may block (bootstrap, stop, client calls), so never
 * make client calls from the poll thread.
 */
public final class TaskerFfi {

    private final TaskerNative lib;
    private final String path;
    private final String origin;
    private final LongAdder received = new LongAdder();
    private final LongAdder freed = new LongAdder();

    public TaskerFfi(TaskerNative lib, String path, String origin) {
        this.lib = lib;
        this.path = path;
        this.origin = origin;
    }

    /** The file the library was loaded from. */
    public String path() {
        return path;
    }

    /** Which lookup rule found it ({@code tasker.library.path}, the env var, or {@code classpath:…}). */
    public String origin() {
        return origin;
    }

    // ---- version, health, lifecycle ----

    public String version() {
        return take(lib.get_version());
    }

    public String rustVersion() {
        return take(lib.get_rust_version());
    }

    public boolean healthCheck() {
        return lib.health_check() == 1;
    }

    public boolean isWorkerRunning() {
        return lib.is_worker_running() == 1;
    }

    public String bootstrapWorker(String configJson) {
        return take(lib.bootstrap_worker(configJson));
    }

    public String workerStatus() {
        return take(lib.get_worker_status());
    }

    public String stopWorker() {
        return take(lib.stop_worker());
    }

    public String transitionToGracefulShutdown() {
        return take(lib.transition_to_graceful_shutdown());
    }

    // ---- dispatch ----

    /** One step event, or {@code null} when none is queued (or the engine is not running). */
    public String pollStepEvent() {
        return take(lib.poll_step_events());
    }

    public boolean completeStepEvent(String eventId, String resultJson) {
        return lib.complete_step_event(eventId, resultJson) == 1;
    }

    public boolean checkpointYieldStepEvent(String eventId, String checkpointJson) {
        return lib.checkpoint_yield_step_event(eventId, checkpointJson) == 1;
    }

    public String dispatchMetrics() {
        return take(lib.get_ffi_dispatch_metrics());
    }

    public void checkStarvationWarnings() {
        lib.check_starvation_warnings();
    }

    public void cleanupTimeouts() {
        lib.cleanup_timeouts();
    }

    public String pollInProcessEvent() {
        return take(lib.poll_in_process_events());
    }

    // ---- logging (field values must all be JSON strings, or the engine drops the map) ----

    public void logError(String message, String fieldsJson) {
        lib.log_error(message, fieldsJson);
    }

    public void logWarn(String message, String fieldsJson) {
        lib.log_warn(message, fieldsJson);
    }

    public void logInfo(String message, String fieldsJson) {
        lib.log_info(message, fieldsJson);
    }

    public void logDebug(String message, String fieldsJson) {
        lib.log_debug(message, fieldsJson);
    }

    public void logTrace(String message, String fieldsJson) {
        lib.log_trace(message, fieldsJson);
    }

    // ---- client API: each returns the {success, data | error, recoverable?} envelope ----

    public String clientCreateTask(String requestJson) {
        return take(lib.client_create_task(requestJson));
    }

    public String clientGetTask(String taskUuid) {
        return take(lib.client_get_task(taskUuid));
    }

    public String clientListTasks(String paramsJson) {
        return take(lib.client_list_tasks(paramsJson));
    }

    public String clientCancelTask(String taskUuid) {
        return take(lib.client_cancel_task(taskUuid));
    }

    public String clientListTaskSteps(String taskUuid) {
        return take(lib.client_list_task_steps(taskUuid));
    }

    public String clientGetStep(String taskUuid, String stepUuid) {
        return take(lib.client_get_step(taskUuid, stepUuid));
    }

    public String clientGetStepAuditHistory(String taskUuid, String stepUuid) {
        return take(lib.client_get_step_audit_history(taskUuid, stepUuid));
    }

    public String clientHealthCheck() {
        return take(lib.client_health_check());
    }

    // ---- leak accounting ----

    /** Non-null strings received from the engine. */
    public long stringsReceived() {
        return received.sum();
    }

    /** Strings released with {@code free_rust_string}. */
    public long stringsFreed() {
        return freed.sum();
    }

    /** The only place a returned pointer is read and released (exactly once, even if decoding fails). */
    private String take(Pointer p) {
        if (p == null) {
            return null;
        }
        received.increment();
        try {
            return p.getString(0, "UTF-8");
        } finally {
            lib.free_rust_string(p);
            freed.increment();
        }
    }
}
