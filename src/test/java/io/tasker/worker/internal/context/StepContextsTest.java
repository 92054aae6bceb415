package io.tasker.worker.internal.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A context made from the event's bytes reads the same as one made from its tree, parsing only when first read. */
class StepContextsTest {

    private static final String EVENT = "{\"event_id\":\"e-1\",\"task_uuid\":\"t-1\",\"step_uuid\":\"s-1\","
            + "\"task\":{\"name\":\"order\",\"context\":{\"value\":3,\"tags\":[\"a\"]}},"
            + "\"workflow_step\":{\"name\":\"charge\",\"attempts\":1,\"max_attempts\":3},"
            + "\"step_definition\":{\"handler\":{\"callable\":\"pay\",\"initialization\":{\"rate\":2}}},"
            + "\"dependency_results\":{\"prev\":{\"result\":{\"ok\":true}}}}";

    @Test
    void bytesAndTreeGiveTheSameContext() {
        StepContext fromTree = StepContexts.fromEvent((ObjectNode) Json.parse(EVENT));
        StepContext fromBytes = StepContexts.fromEventBytes(EVENT.getBytes(StandardCharsets.UTF_8), "pay");
        assertEquals(fromTree.info().getHandlerName(), fromBytes.info().getHandlerName());
        assertEquals(fromTree.info().getStepName(), fromBytes.info().getStepName());
        assertEquals(fromTree.info().getRetryCount(), fromBytes.info().getRetryCount());
        assertEquals(3, fromBytes.getInput("value", Integer.class));
        assertEquals(fromTree.getInputData(), fromBytes.getInputData());
        assertEquals(2, fromBytes.getConfig("rate", Integer.class));
        assertEquals(Map.of("ok", true), fromBytes.getDependencyResult("prev"));
        assertEquals(fromTree.getEvent(), fromBytes.getEvent());
    }

    @Test
    void nothingIsParsedUntilTheContextIsRead() {
        StepContext broken = StepContexts.fromEventBytes("{not json".getBytes(StandardCharsets.UTF_8), "pay");
        assertEquals("pay", broken.info().getHandlerName(), "the handler name needs no parse");
        assertThrows(IllegalStateException.class, () -> broken.getInput("value"));
    }
}
