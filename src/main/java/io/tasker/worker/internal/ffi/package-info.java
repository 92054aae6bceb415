/**
 * The JNA binding of the engine's C ABI (docs/ffi-contract.md) and how the library is located and loaded.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.ffi;
