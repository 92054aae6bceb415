package io.tasker.worker.api.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import io.tasker.worker.testing.HandlerTester;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionCapableTest {

    @StepHandler(value = "route_it", version = "2.1.0")
    static class Router extends DecisionHandler {
        @Override
        public StepHandlerResult call(StepContext ctx) {
            return decisionSuccess(List.of("a"));
        }
    }

    /** The interface form on a plain handler: name and version still come from the annotation. */
    @StepHandler(value = "plain_router", version = "3.0.0")
    static class PlainRouter implements ExecutableHandler, DecisionCapable {
        @Override
        public StepHandlerResult call(StepContext ctx) {
            return skipBranches("nothing to do", null);
        }
    }

    private final Router router = new Router();

    private static String json(Object o) {
        return Json.write(o);
    }

    @Test
    void decisionSuccessShape() {
        StepHandlerResult r =
                router.decisionSuccess(List.of("step_a", "step_b"), Map.of("amount", 5), Map.of("k", "v"));
        assertTrue(r.isSuccess());
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"create_steps\",\"step_names\":[\"step_a\",\"step_b\"]},"
                        + "\"routing_context\":{\"amount\":5}}",
                json(r.getResult()));
        assertEquals(
                "{\"k\":\"v\",\"decision_handler\":\"route_it\",\"decision_version\":\"2.1.0\"}",
                json(r.getMetadata()));
    }

    @Test
    void routingContextOnlyWhenNonEmpty() {
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"create_steps\",\"step_names\":[\"x\"]}}",
                json(router.decisionSuccess(List.of("x"), Map.of()).getResult()));
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"create_steps\",\"step_names\":[]}}",
                json(router.decisionSuccess(List.of(), null, null).getResult()));
    }

    @Test
    void decisionSuccessWithOutcome() {
        DecisionOutcome outcome = new DecisionOutcome(
                DecisionType.CREATE_STEPS,
                List.of("a"),
                List.of(Map.of("name", "a")),
                "big order",
                Map.of("tier", "gold"));
        StepHandlerResult r = router.decisionSuccessWithOutcome(outcome, null);
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"create_steps\",\"step_names\":[\"a\"],"
                        + "\"dynamic_steps\":[{\"name\":\"a\"}]},\"reason\":\"big order\",\"routing_context\":{\"tier\":\"gold\"}}",
                json(r.getResult()));
        assertEquals(Map.of("decision_handler", "route_it", "decision_version", "2.1.0"), r.getMetadata());
    }

    @Test
    void skipBranchesShape() {
        StepHandlerResult r = router.skipBranches("below threshold", Map.of("amount", 1), Map.of("m", 1));
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"no_branches\"},\"reason\":\"below threshold\","
                        + "\"routing_context\":{\"amount\":1}}",
                json(r.getResult()));
        assertEquals(
                "{\"m\":1,\"decision_handler\":\"route_it\",\"decision_version\":\"2.1.0\"}", json(r.getMetadata()));
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"no_branches\"},\"reason\":\"r\"}",
                json(router.decisionNoBranches("r").getResult()));
        assertEquals(
                "{\"decision_point_outcome\":{\"type\":\"no_branches\"}}",
                json(router.decisionNoBranches(DecisionOutcome.noBranches(null, null), null)
                        .getResult()));
    }

    @Test
    void decisionFailureIsANonRetryableDecisionError() {
        StepHandlerResult f = router.decisionFailure("cannot decide");
        assertFalse(f.isSuccess());
        assertFalse(f.isRetryable());
        assertEquals("decision_error", f.getErrorType());
        assertEquals("cannot decide", f.getErrorMessage());
        assertEquals(Map.of("decision_handler", "route_it", "decision_version", "2.1.0"), f.getMetadata());
        StepHandlerResult custom = router.decisionFailure("later", "upstream_down", true, Map.of("x", 1));
        assertTrue(custom.isRetryable());
        assertEquals("upstream_down", custom.getErrorType());
        assertEquals(1, custom.getMetadata().get("x"));
    }

    @Test
    void interfaceFormTakesNameAndVersionFromTheAnnotation() throws Exception {
        StepHandlerResult r = new PlainRouter().call(HandlerTester.context().build());
        assertEquals(Map.of("decision_handler", "plain_router", "decision_version", "3.0.0"), r.getMetadata());
        assertEquals(List.of("process", "decision", "routing"), router.capabilities());
    }
}
