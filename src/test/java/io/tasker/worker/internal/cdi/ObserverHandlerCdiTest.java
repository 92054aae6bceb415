package io.tasker.worker.internal.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.HandlerInfo;
import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepExecution;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.testing.HandlerTester;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.event.TransactionPhase;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * The event form in a real CDI container (Weld, as in Liberty): observers found by the extension, delivered through
 * the injected registry, and every malformed or clashing observer stopping the deployment with a message that names it.
 */
class ObserverHandlerCdiTest {

    @ApplicationScoped
    static class Payments {
        void charge(@Observes @StepHandler(value = "charge", version = "2.1.0") StepExecution step) {
            step.complete(Map.of("charged", step.context().getInput("amount")));
        }

        void refund(@Observes @StepHandler("refund") StepExecution step) throws IOException {
            throw new IOException("ledger offline");
        }
    }

    @Dependent
    static class SecondCharge {
        void charge(@Observes @StepHandler("charge") StepExecution step) {
            step.complete("again");
        }
    }

    @StepHandler("charge")
    @ApplicationScoped
    static class ChargeBean implements ExecutableHandler {
        @Override
        public StepHandlerResult call(StepContext ctx) {
            return StepHandlerResult.success(null);
        }
    }

    @ApplicationScoped
    static class Unnamed {
        void any(@Observes StepExecution step) {}
    }

    @ApplicationScoped
    static class Later {
        void later(@ObservesAsync @StepHandler("later") StepExecution step) {}
    }

    @ApplicationScoped
    static class AfterCommit {
        void after(@Observes(during = TransactionPhase.AFTER_SUCCESS) @StepHandler("after") StepExecution step) {}
    }

    private static WeldContainer start(Class<?>... beans) {
        return new Weld(UUID.randomUUID().toString())
                .disableDiscovery()
                .addExtension(new StepHandlerExtension())
                .addBeanClasses(beans)
                .addBeanClass(CdiHandlerRegistry.class)
                .initialize();
    }

    private static String deploymentError(Class<?>... beans) {
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> start(beans).close());
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void observersAreHandlersOfTheRegistry() throws Exception {
        try (WeldContainer c = start(Payments.class)) {
            CdiHandlerRegistry registry = c.select(CdiHandlerRegistry.class).get();
            assertEquals(2, registry.handlerCount());
            assertEquals("2.1.0", registry.versionOf("charge"));
            List<HandlerInfo> handlers = registry.listHandlers();
            assertEquals("charge", handlers.get(0).name());
            assertEquals(Payments.class.getName(), handlers.get(0).className());
            assertEquals(CdiHandlerRegistry.CDI_OBSERVER, handlers.get(0).source());

            ExecutableHandler charge = registry.resolve("charge").orElseThrow();
            StepHandlerResult r = charge.call(HandlerTester.context()
                    .handlerName("charge")
                    .input("amount", 7)
                    .build());
            assertEquals(Map.of("charged", 7), r.getResult());

            // A checked exception reaches the runtime as the observer threw it, not wrapped by CDI.
            ExecutableHandler refund = registry.resolve("refund").orElseThrow();
            IOException e = assertThrows(
                    IOException.class, () -> refund.call(HandlerTester.context().build()));
            assertEquals("ledger offline", e.getMessage());
        }
    }

    @Test
    void twoObserversOfOneNameStopTheDeployment() {
        String message = deploymentError(Payments.class, SecondCharge.class);
        assertTrue(message.contains("Duplicate @StepHandler(\"charge\")"), message);
        assertTrue(
                message.contains(Payments.class.getName() + ".charge")
                        && message.contains(SecondCharge.class.getName() + ".charge"),
                message);
    }

    @Test
    void aBeanAndAnObserverOfOneNameStopTheDeployment() {
        String message = deploymentError(Payments.class, ChargeBean.class);
        assertTrue(
                message.contains("Duplicate @StepHandler(\"charge\")")
                        && message.contains(ChargeBean.class.getName())
                        && message.contains(Payments.class.getName() + ".charge"),
                message);
    }

    @Test
    void unnamedAsynchronousOrTransactionalObserversStopTheDeployment() {
        String unnamed = deploymentError(Unnamed.class);
        assertTrue(
                unnamed.contains("must name its handler") && unnamed.contains(Unnamed.class.getName() + ".any"),
                unnamed);
        String async = deploymentError(Later.class);
        assertTrue(async.contains("must be synchronous") && async.contains("later"), async);
        String transactional = deploymentError(AfterCommit.class);
        assertTrue(transactional.contains("must not be transactional"), transactional);
    }
}
