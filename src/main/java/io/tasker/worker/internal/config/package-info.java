/**
 * Settings: MicroProfile Config keys, the TOML config source, and their validation at startup.
 *
 * <p>Implementation: no compatibility promise, do not use from application code.
 */
package io.tasker.worker.internal.config;
