package io.tasker.hostapp;

import jakarta.enterprise.context.ApplicationScoped;

/** An ordinary bean of the host application, injected into its handlers. */
@ApplicationScoped
public class Multiplier {
    public int factor() {
        return 7;
    }
}
