package io.tasker.worker.api;

import java.util.List;

/**
 * What the registry knows about one handler.
 *
 * @param name         the callable it serves
 * @param version      its version ({@link StepHandler#version()})
 * @param className    the implementing class (for the event form: the class declaring the observer method)
 * @param source       {@code "cdi"} for discovered beans, {@code "cdi-observer"} for discovered observers of
 *                     {@link StepExecution}, {@code "programmatic"} for {@link HandlerRegistry#register}
 * @param capabilities {@link ExecutableHandler#capabilities()}
 */
public record HandlerInfo(String name, String version, String className, String source, List<String> capabilities) {}
