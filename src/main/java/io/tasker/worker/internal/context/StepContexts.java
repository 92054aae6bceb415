package io.tasker.worker.internal.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.internal.Json;

/**
 * The one place a {@link StepContext} is made from the engine's step event (the runtime, the test kit's builder and
 * the event form all come through here), so how the event is held and read can change behind it.
 */
public final class StepContexts {

    private StepContexts() {}

    /** Wraps a parsed {@code poll_step_events} event. The node must not be modified afterwards. */
    public static StepContext fromEvent(ObjectNode event) {
        return new EventStepContext(event);
    }

    /** Parses a {@code poll_step_events} payload. */
    public static StepContext fromEventJson(String eventJson) {
        JsonNode node = Json.parse(eventJson);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("A step event must be a JSON object");
        }
        return fromEvent(object);
    }
}
