package io.tasker.worker.internal.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.testing.HandlerTester;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous handlers as CDI beans (Weld, as in Liberty): the runtime sees them as {@link AsyncStepHandler}s
 * through their client proxies, and a {@code @Dependent} one is destroyed when its stage completes, not when
 * {@code callAsync} returns.
 */
class AsyncHandlerCdiTest {

    static final AtomicInteger DESTROYED = new AtomicInteger();
    static final CompletableFuture<StepHandlerResult> PENDING = new CompletableFuture<>();

    @StepHandler("lookup")
    @Dependent
    static class Lookup implements AsyncStepHandler {
        @Override
        public CompletionStage<StepHandlerResult> callAsync(StepContext ctx) {
            return PENDING;
        }

        @PreDestroy
        void destroyed() {
            DESTROYED.incrementAndGet();
        }
    }

    @StepHandler("quote")
    @ApplicationScoped
    static class Quote implements AsyncStepHandler {
        @Override
        public CompletionStage<StepHandlerResult> callAsync(StepContext ctx) {
            return CompletableFuture.completedFuture(StepHandlerResult.success(Map.of("price", 12)));
        }
    }

    @Test
    void beansAreAsynchronousThroughTheRegistryAndDependentOnesLiveUntilTheirStageEnds() throws Exception {
        try (WeldContainer c = new Weld(UUID.randomUUID().toString())
                .disableDiscovery()
                .addExtension(new StepHandlerExtension())
                .addBeanClasses(Lookup.class, Quote.class)
                .addBeanClass(CdiHandlerRegistry.class)
                .initialize()) {
            CdiHandlerRegistry registry = c.select(CdiHandlerRegistry.class).get();

            ExecutableHandler quote = registry.resolve("quote").orElseThrow();
            assertTrue(quote instanceof AsyncStepHandler, "the client proxy keeps the interface: " + quote);
            assertEquals(
                    Map.of("price", 12),
                    quote.call(HandlerTester.context().build()).getResult(),
                    "call() waits for the stage");

            ExecutableHandler lookup = registry.resolve("lookup").orElseThrow();
            assertTrue(lookup instanceof AsyncStepHandler, "a leased handler stays asynchronous: " + lookup);
            CompletionStage<StepHandlerResult> stage = ((AsyncStepHandler) lookup)
                    .callAsync(HandlerTester.context().build());
            assertFalse(stage.toCompletableFuture().isDone());
            assertEquals(0, DESTROYED.get(), "the instance lives while its stage is pending");
            PENDING.complete(StepHandlerResult.success(Map.of("found", true)));
            assertEquals(1, DESTROYED.get(), "and is destroyed once it completes");
        }
    }
}
