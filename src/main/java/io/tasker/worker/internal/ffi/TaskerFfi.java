package io.tasker.worker.internal.ffi;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * Typed access to the engine. Every string the engine returns is copied and released here, in {@link #takeBytes},
 * so no other class ever touches a native pointer. The allocation and free counters let tests assert that nothing
 * leaks.
 *
 * <p>The per-step calls come in a byte form: an event is read once into UTF-8 bytes (what the JSON parser reads
 * fastest), and a completion is passed as NUL-terminated UTF-8 bytes written by the serialiser, so nothing is
 * encoded or copied again on the way. The {@code String} forms remain for everything else.
 *
 * <p>The optional ABI extensions (batches, and a blocking wait for the next ready step) are used only when the
 * library exports them ({@link #hasExtensions()}); callers fall back to the 29 contract functions otherwise.
 *
 * <p>Thread-safe: the engine serialises calls itself. Calls may block (bootstrap, stop, client calls, the wait), so
 * never make client calls from the poll thread.
 */
public final class TaskerFfi {

    private final TaskerNative lib;
    private final String path;
    private final String origin;
    private final LongAdder received = new LongAdder();
    private final LongAdder freed = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder batchPolls = new LongAdder();
    private final LongAdder batchCompletions = new LongAdder();

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

    /** One step event as UTF-8 bytes (no NUL), or {@code null}. */
    public byte[] pollStepEventBytes() {
        return takeBytes(lib.poll_step_events());
    }

    public boolean completeStepEvent(String eventId, String resultJson) {
        return completeStepEvent(nul(eventId), nul(resultJson));
    }

    /** Both arguments NUL-terminated UTF-8 ({@link #nul}). */
    public boolean completeStepEvent(byte[] eventId, byte[] resultJson) {
        return lib.complete_step_event(eventId, resultJson) == 1;
    }

    public boolean checkpointYieldStepEvent(String eventId, String checkpointJson) {
        return checkpointYieldStepEvent(nul(eventId), nul(checkpointJson));
    }

    /** Both arguments NUL-terminated UTF-8 ({@link #nul}). */
    public boolean checkpointYieldStepEvent(byte[] eventId, byte[] checkpointJson) {
        return lib.checkpoint_yield_step_event(eventId, checkpointJson) == 1;
    }

    // ---- optional extensions: call only when hasExtensions() ----

    /** Whether the library exports the extensions and they are in use. */
    public boolean hasExtensions() {
        return lib.hasExtensions();
    }

    /** Up to {@code max} events as one JSON array in UTF-8, or {@code null} when none is queued. */
    public byte[] pollStepEventsBatch(int max) {
        batchPolls.increment();
        return takeBytes(lib.poll_step_events_batch(max));
    }

    /**
     * Completes {@code count} events in one call. {@code itemsJson} is a NUL-terminated JSON array of
     * {@code [event_id, result]} pairs. Returns one flag per item, or {@code null} when the engine could not read
     * the array (then no event was touched) or answered with something else.
     */
    public boolean[] completeStepEventsBatch(byte[] itemsJson, int count) {
        batchCompletions.increment();
        byte[] answer = takeBytes(lib.complete_step_events_batch(itemsJson));
        return answer == null ? null : flags(answer, count);
    }

    /** Blocks up to {@code timeoutMs}: 1 when a step may be ready, 0 on timeout, -1 when the worker is not running. */
    public int waitForStepEvents(int timeoutMs) {
        waits.increment();
        return lib.wait_for_step_events(timeoutMs);
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

    /** Calls of {@code wait_for_step_events}. */
    public long waitCalls() {
        return waits.sum();
    }

    /** Calls of {@code poll_step_events_batch}. */
    public long batchPollCalls() {
        return batchPolls.sum();
    }

    /** Calls of {@code complete_step_events_batch}. */
    public long batchCompletionCalls() {
        return batchCompletions.sum();
    }

    /** NUL-terminated UTF-8, the form of every {@code char*} argument. */
    public static byte[] nul(String s) {
        return DirectNative.nul(s);
    }

    private String take(Pointer p) {
        byte[] bytes = takeBytes(p);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The only place a returned pointer is read and released (exactly once, even if reading fails). */
    private byte[] takeBytes(Pointer p) {
        if (p == null) {
            return null;
        }
        received.increment();
        try {
            return p.getByteArray(0, DirectNative.length(p));
        } finally {
            lib.free_rust_string(p);
            freed.increment();
        }
    }

    /** {@code [1,0,…]} with exactly {@code count} items, else null. */
    static boolean[] flags(byte[] json, int count) {
        boolean[] out = new boolean[count];
        int n = 0;
        boolean expectItem = true;
        for (byte b : json) {
            switch (b) {
                case '0', '1' -> {
                    if (!expectItem || n == count) {
                        return null;
                    }
                    out[n++] = b == '1';
                    expectItem = false;
                }
                case ',' -> {
                    if (expectItem) {
                        return null;
                    }
                    expectItem = true;
                }
                case '[', ']', ' ' -> {}
                default -> {
                    return null;
                }
            }
        }
        return n == count ? out : null;
    }
}
