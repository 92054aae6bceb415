package io.tasker.worker.examples.http;

import io.tasker.worker.api.BaseStepHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;

/** Builds a profile from the user {@code fetch_user} returned. */
@StepHandler("http_examples.build_profile")
@ApplicationScoped
public class BuildProfileHandler extends BaseStepHandler {

    @Override
    public StepHandlerResult call(StepContext ctx) {
        Object name = ctx.getDependencyField("fetch_user", "user", "name");
        Object email = ctx.getDependencyField("fetch_user", "user", "email");
        String display = name == null ? "unknown" : name.toString().toUpperCase(Locale.ROOT);
        return success(Map.of("display_name", display, "contact", email == null ? "" : email));
    }
}
