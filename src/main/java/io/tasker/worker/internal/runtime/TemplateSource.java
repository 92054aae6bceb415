package io.tasker.worker.internal.runtime;

/**
 * One task template handed to the engine at bootstrap.
 *
 * @param source the file name, for the engine's error messages
 * @param yaml   the file text
 */
public record TemplateSource(String source, String yaml) {}
