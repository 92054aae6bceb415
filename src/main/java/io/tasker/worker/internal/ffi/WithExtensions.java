package io.tasker.worker.internal.ffi;

import com.sun.jna.Pointer;

/**
 * The interface binding of a library that exports the extensions: the same calls as {@link TaskerNative}, with
 * the three extension methods bound to the library instead of refusing. Used for a library file other than the one
 * this class loader bound directly ({@link DirectNative}).
 */
public interface WithExtensions extends TaskerNative {

    @Override
    default boolean hasExtensions() {
        return true;
    }

    @Override
    Pointer poll_step_events_batch(int max);

    @Override
    Pointer complete_step_events_batch(byte[] itemsJson);

    @Override
    int wait_for_step_events(int timeoutMs);
}
