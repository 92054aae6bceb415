package io.tasker.worker.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.HandlerDefinition;
import io.tasker.worker.api.HandlerInfo;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.testing.HandlerTester;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DefaultHandlerRegistryTest {

    @StepHandler(value = "multi", version = "3.1.0")
    public static class Multi implements ExecutableHandler {
        @Override
        public StepHandlerResult call(StepContext ctx) {
            return StepHandlerResult.success("call");
        }

        public StepHandlerResult refund(StepContext ctx) {
            return StepHandlerResult.success("refund");
        }

        public String notAHandlerMethod(StepContext ctx) {
            return "no";
        }

        public StepHandlerResult fails(StepContext ctx) {
            throw new IllegalArgumentException("bad");
        }
    }

    private final StepContext ctx = HandlerTester.context().build();

    @Test
    void sharedInstanceResolvesToItselfWithoutMethodDispatch() throws Exception {
        DefaultHandlerRegistry r = new DefaultHandlerRegistry();
        Multi m = new Multi();
        r.register("multi", m);
        assertSame(m, r.resolve("multi").orElseThrow());
        assertEquals(
                "refund",
                r.resolve(new HandlerDefinition("multi", "refund", null, null))
                        .orElseThrow()
                        .call(ctx)
                        .getResult());
        assertEquals(
                "call",
                r.resolve(new HandlerDefinition("multi", "call", null, null))
                        .orElseThrow()
                        .call(ctx)
                        .getResult());
        assertTrue(r.resolve(new HandlerDefinition("multi", "notAHandlerMethod", null, null))
                .isEmpty());
        assertTrue(
                r.resolve(new HandlerDefinition("multi", "missing", null, null)).isEmpty());
        assertThrows(
                IllegalArgumentException.class,
                () -> r.resolve(new HandlerDefinition("multi", "fails", null, null))
                        .orElseThrow()
                        .call(ctx));
        assertEquals("3.1.0", r.versionOf("multi"));
    }

    @Test
    void factoryCreatesAnInstancePerCall() throws Exception {
        DefaultHandlerRegistry r = new DefaultHandlerRegistry();
        AtomicInteger created = new AtomicInteger();
        r.register("f", "2.0.0", () -> {
            created.incrementAndGet();
            return new Multi();
        });
        r.resolve("f").orElseThrow().call(ctx);
        r.resolve("f").orElseThrow().call(ctx);
        assertEquals(2, created.get());
        PermanentStepException e = assertThrows(
                PermanentStepException.class,
                () -> r.resolve(new HandlerDefinition("f", "missing", null, null))
                        .orElseThrow()
                        .call(ctx));
        assertEquals("handler_not_found", e.getErrorType());
    }

    @Test
    void namesAreUniqueAndBulkRegistrationIsAllOrNothing() {
        DefaultHandlerRegistry r = new DefaultHandlerRegistry();
        r.register("a", c -> StepHandlerResult.success(null));
        assertThrows(IllegalArgumentException.class, () -> r.register("a", c -> StepHandlerResult.success(null)));
        assertThrows(
                IllegalArgumentException.class,
                () -> r.registerAll(
                        Map.of("b", c -> StepHandlerResult.success(null), "a", c -> StepHandlerResult.success(null))));
        assertFalse(r.isRegistered("b"));
        assertThrows(IllegalArgumentException.class, () -> r.register(" ", c -> StepHandlerResult.success(null)));
        assertTrue(r.unregister("a"));
        assertFalse(r.unregister("a"));
        assertEquals(0, r.handlerCount());
    }

    @Test
    void listsHandlersWithSourceAndCapabilities() {
        DefaultHandlerRegistry r = new DefaultHandlerRegistry();
        r.register("multi", new Multi());
        List<HandlerInfo> list = r.listHandlers();
        assertEquals(1, list.size());
        assertEquals(
                new HandlerInfo("multi", "3.1.0", Multi.class.getName(), "programmatic", List.of("process")),
                list.get(0));
    }
}
