package io.tasker.worker.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The worker's HTTP API under {@code /api}. Responses are JSON written with Jackson (no JSON-B). */
@ApplicationPath("/api")
public class RestApplication extends Application {}
