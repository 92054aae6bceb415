package io.tasker.dupapp;

import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

@ApplicationScoped
public class FirstObserver {
    void handle(@Observes @StepHandler("same_observed") StepExecution step) {
        step.complete(null);
    }
}
