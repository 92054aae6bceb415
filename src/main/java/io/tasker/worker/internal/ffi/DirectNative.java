package io.tasker.worker.internal.ffi;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The engine bound with JNA direct mapping ({@link Native#register}): each call goes straight to the native
 * function, without the reflective proxy and per-argument conversion of an interface binding. Every {@code char*}
 * argument is a NUL-terminated {@code byte[]} that JNA passes without encoding it again.
 *
 * <p>A class's native methods can be bound to one library only, so the first library loaded in this class loader
 * gets the direct binding and any other library file gets an interface binding ({@link LibraryLocator}). The
 * extensions live in a class of their own, registered only when the library exports all three.
 */
final class DirectNative implements TaskerNative {

    /** The extension functions: a library that lacks any of them gets none. */
    static final List<String> EXTENSIONS =
            List.of("poll_step_events_batch", "complete_step_events_batch", "wait_for_step_events");

    private static String boundPath;
    private static boolean boundExtensions;

    private final boolean extensions;

    private DirectNative(boolean extensions) {
        this.extensions = extensions;
    }

    /**
     * The direct binding of {@code library}, or null when this class loader already bound another file (that one
     * stays bound: native methods cannot serve two libraries).
     */
    static synchronized DirectNative bind(NativeLibrary library, String path, boolean useExtensions) {
        if (boundPath == null) {
            Native.register(Core.class, library);
            boundExtensions = exportsExtensions(library);
            if (boundExtensions) {
                Native.register(Extensions.class, library);
            }
            boundPath = path;
        } else if (!boundPath.equals(path)) {
            return null;
        }
        return new DirectNative(useExtensions && boundExtensions);
    }

    /** Whether the library exports every extension function. */
    static boolean exportsExtensions(NativeLibrary library) {
        for (String name : EXTENSIONS) {
            try {
                library.getFunction(name);
            } catch (UnsatisfiedLinkError e) {
                return false;
            }
        }
        return true;
    }

    /** The C library's {@code strlen}, bound directly: JNA's own {@code Pointer.indexOf} walks byte by byte. */
    static final class LibC {
        static final boolean BOUND = bind();

        static native long strlen(Pointer p);

        private static boolean bind() {
            try {
                Native.register(LibC.class, NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME));
                return true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return false;
            }
        }

        private LibC() {}
    }

    /** The length of the NUL-terminated string at {@code p}. */
    static int length(Pointer p) {
        return (int) (LibC.BOUND ? LibC.strlen(p) : p.indexOf(0, (byte) 0));
    }

    static byte[] nul(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** The 29 contract functions. */
    static final class Core {
        static native Pointer get_version();

        static native Pointer get_rust_version();

        static native int health_check();

        static native int is_worker_running();

        static native Pointer bootstrap_worker(byte[] configJson);

        static native Pointer get_worker_status();

        static native Pointer stop_worker();

        static native Pointer transition_to_graceful_shutdown();

        static native Pointer poll_step_events();

        static native int complete_step_event(byte[] eventId, byte[] resultJson);

        static native int checkpoint_yield_step_event(byte[] eventId, byte[] checkpointJson);

        static native Pointer get_ffi_dispatch_metrics();

        static native void check_starvation_warnings();

        static native void cleanup_timeouts();

        static native Pointer poll_in_process_events();

        static native void log_error(byte[] message, byte[] fieldsJson);

        static native void log_warn(byte[] message, byte[] fieldsJson);

        static native void log_info(byte[] message, byte[] fieldsJson);

        static native void log_debug(byte[] message, byte[] fieldsJson);

        static native void log_trace(byte[] message, byte[] fieldsJson);

        static native void free_rust_string(Pointer ptr);

        static native Pointer client_create_task(byte[] requestJson);

        static native Pointer client_get_task(byte[] taskUuid);

        static native Pointer client_list_tasks(byte[] paramsJson);

        static native Pointer client_cancel_task(byte[] taskUuid);

        static native Pointer client_list_task_steps(byte[] taskUuid);

        static native Pointer client_get_step(byte[] taskUuid, byte[] stepUuid);

        static native Pointer client_get_step_audit_history(byte[] taskUuid, byte[] stepUuid);

        static native Pointer client_health_check();

        private Core() {}
    }

    /** The optional extensions. */
    static final class Extensions {
        static native Pointer poll_step_events_batch(int max);

        static native Pointer complete_step_events_batch(byte[] itemsJson);

        static native int wait_for_step_events(int timeoutMs);

        private Extensions() {}
    }

    @Override
    public boolean hasExtensions() {
        return extensions;
    }

    @Override
    public Pointer get_version() {
        return Core.get_version();
    }

    @Override
    public Pointer get_rust_version() {
        return Core.get_rust_version();
    }

    @Override
    public int health_check() {
        return Core.health_check();
    }

    @Override
    public int is_worker_running() {
        return Core.is_worker_running();
    }

    @Override
    public Pointer bootstrap_worker(String configJson) {
        return Core.bootstrap_worker(nul(configJson));
    }

    @Override
    public Pointer get_worker_status() {
        return Core.get_worker_status();
    }

    @Override
    public Pointer stop_worker() {
        return Core.stop_worker();
    }

    @Override
    public Pointer transition_to_graceful_shutdown() {
        return Core.transition_to_graceful_shutdown();
    }

    @Override
    public Pointer poll_step_events() {
        return Core.poll_step_events();
    }

    @Override
    public int complete_step_event(byte[] eventId, byte[] resultJson) {
        return Core.complete_step_event(eventId, resultJson);
    }

    @Override
    public int checkpoint_yield_step_event(byte[] eventId, byte[] checkpointJson) {
        return Core.checkpoint_yield_step_event(eventId, checkpointJson);
    }

    @Override
    public Pointer get_ffi_dispatch_metrics() {
        return Core.get_ffi_dispatch_metrics();
    }

    @Override
    public void check_starvation_warnings() {
        Core.check_starvation_warnings();
    }

    @Override
    public void cleanup_timeouts() {
        Core.cleanup_timeouts();
    }

    @Override
    public Pointer poll_in_process_events() {
        return Core.poll_in_process_events();
    }

    @Override
    public void log_error(String message, String fieldsJson) {
        Core.log_error(nul(message), nul(fieldsJson));
    }

    @Override
    public void log_warn(String message, String fieldsJson) {
        Core.log_warn(nul(message), nul(fieldsJson));
    }

    @Override
    public void log_info(String message, String fieldsJson) {
        Core.log_info(nul(message), nul(fieldsJson));
    }

    @Override
    public void log_debug(String message, String fieldsJson) {
        Core.log_debug(nul(message), nul(fieldsJson));
    }

    @Override
    public void log_trace(String message, String fieldsJson) {
        Core.log_trace(nul(message), nul(fieldsJson));
    }

    @Override
    public void free_rust_string(Pointer ptr) {
        Core.free_rust_string(ptr);
    }

    @Override
    public Pointer client_create_task(String requestJson) {
        return Core.client_create_task(nul(requestJson));
    }

    @Override
    public Pointer client_get_task(String taskUuid) {
        return Core.client_get_task(nul(taskUuid));
    }

    @Override
    public Pointer client_list_tasks(String paramsJson) {
        return Core.client_list_tasks(nul(paramsJson));
    }

    @Override
    public Pointer client_cancel_task(String taskUuid) {
        return Core.client_cancel_task(nul(taskUuid));
    }

    @Override
    public Pointer client_list_task_steps(String taskUuid) {
        return Core.client_list_task_steps(nul(taskUuid));
    }

    @Override
    public Pointer client_get_step(String taskUuid, String stepUuid) {
        return Core.client_get_step(nul(taskUuid), nul(stepUuid));
    }

    @Override
    public Pointer client_get_step_audit_history(String taskUuid, String stepUuid) {
        return Core.client_get_step_audit_history(nul(taskUuid), nul(stepUuid));
    }

    @Override
    public Pointer client_health_check() {
        return Core.client_health_check();
    }

    @Override
    public Pointer poll_step_events_batch(int max) {
        requireExtensions();
        return Extensions.poll_step_events_batch(max);
    }

    @Override
    public Pointer complete_step_events_batch(byte[] itemsJson) {
        requireExtensions();
        return Extensions.complete_step_events_batch(itemsJson);
    }

    @Override
    public int wait_for_step_events(int timeoutMs) {
        requireExtensions();
        return Extensions.wait_for_step_events(timeoutMs);
    }

    private void requireExtensions() {
        if (!extensions) {
            throw new UnsupportedOperationException("the ABI extensions are not in use for this library");
        }
    }
}
