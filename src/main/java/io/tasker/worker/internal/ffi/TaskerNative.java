package io.tasker.worker.internal.ffi;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The engine's C ABI: all 29 exported symbols, one Java method each.
 *
 * <p>Every {@code char*} the engine returns is declared as {@link Pointer}, never {@code String}: JNA would copy a
 * {@code String} return and never release the Rust allocation. Use {@link TaskerFfi}, which copies and frees in one
 * place, instead of calling this interface directly. Arguments are NUL-terminated UTF-8 (the library is loaded with
 * {@link Library#OPTION_STRING_ENCODING} = UTF-8).
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

    int complete_step_event(String eventId, String resultJson);

    int checkpoint_yield_step_event(String eventId, String checkpointJson);

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
}
