package io.tasker.hostapp;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The host's own JAX-RS application. Its resources are listed explicitly: resources left to discovery would also be
 * published under the worker's {@code /api} application (and answer 404 there while the worker is headless).
 */
@ApplicationPath("/host")
public class HostApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(RunResource.class);
    }
}
