package io.tasker.worker.internal.ffi;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The engine's C ABI: all 29 exported symbols, one Java method each, plus the optional extensions.
 *
 * <p>Every {@code char*} the engine returns is declared as {@link Pointer}, never {@code String}: JNA would copy a
 * {@code String} return and never release the Rust allocation. Use {@link TaskerFfi}, which copies and frees in one
 * place, instead of calling this interface directly. Arguments are NUL-terminated UTF-8: the per-step calls take
 * {@code byte[]} that already end in NUL (JNA would otherwise encode each {@code String} into a fresh native buffer
 * per call); the others take {@code String}, encoded as UTF-8.
 *
 * <p>The extensions ({@code poll_step_events_batch}, {@code complete_step_events_batch}, {@code
 * wait_for_step_events}) are not part of the 29-function contract. A binding reports them in {@link
 * #hasExtensions()} only when the library exports all three; their default bodies refuse the call.
 */
public interface TaskerNative extends Library {

    // ---- version, health, lifecycle ----
    Pointer get_version();

    Pointer get_rust_version();

    int health_check();

    int is_worker_running();

    Pointer bootstrap_worker(String configJson);

    Pointer get_worker_status();

    Pointer stop_worker();

    Pointer transition_to_graceful_shutdown();

    // ---- step dispatch ----
    Pointer poll_step_events();

    int complete_step_event(byte[] eventId, byte[] resultJson);

    int checkpoint_yield_step_event(byte[] eventId, byte[] checkpointJson);

    Pointer get_ffi_dispatch_metrics();

    void check_starvation_warnings();

    void cleanup_timeouts();

    // ---- in-process domain events ----
    Pointer poll_in_process_events();

    // ---- logging ----
    void log_error(String message, String fieldsJson);

    void log_warn(String message, String fieldsJson);

    void log_info(String message, String fieldsJson);

    void log_debug(String message, String fieldsJson);

    void log_trace(String message, String fieldsJson);

    // ---- memory ----
    void free_rust_string(Pointer ptr);

    // ---- client API ----
    Pointer client_create_task(String requestJson);

    Pointer client_get_task(String taskUuid);

    Pointer client_list_tasks(String paramsJson);

    Pointer client_cancel_task(String taskUuid);

    Pointer client_list_task_steps(String taskUuid);

    Pointer client_get_step(String taskUuid, String stepUuid);

    Pointer client_get_step_audit_history(String taskUuid, String stepUuid);

    Pointer client_health_check();

    // ---- optional extensions ----

    /** Whether the library exports the three extension functions (looked up once, when it is loaded). */
    default boolean hasExtensions() {
        return false;
    }

    /** Up to {@code max} step events as one JSON array, or NULL when none is queued. */
    default Pointer poll_step_events_batch(int max) {
        throw new UnsupportedOperationException("poll_step_events_batch is not exported by this library");
    }

    /** {@code [[event_id, result], …]} → a JSON array of 1/0 per item, or NULL when the array is unreadable. */
    default Pointer complete_step_events_batch(byte[] itemsJson) {
        throw new UnsupportedOperationException("complete_step_events_batch is not exported by this library");
    }

    /** Blocks up to {@code timeoutMs}: 1 when a step may be ready, 0 on timeout, -1 when the worker is not running. */
    default int wait_for_step_events(int timeoutMs) {
        throw new UnsupportedOperationException("wait_for_step_events is not exported by this library");
    }
}
