package io.tasker.worker.examples;

import static io.tasker.worker.testing.ResultAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tasker.worker.api.StepContext;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.domain.EventDeclaration;
import io.tasker.worker.api.domain.EventExecutionResult;
import io.tasker.worker.api.domain.StepEventContext;
import io.tasker.worker.examples.batch.AggregateResultsHandler;
import io.tasker.worker.examples.batch.CheckpointingBatchWorker;
import io.tasker.worker.examples.batch.CreateBatchesHandler;
import io.tasker.worker.examples.batch.ProcessBatchHandler;
import io.tasker.worker.examples.decision.FinalizeApprovalHandler;
import io.tasker.worker.examples.decision.RoutingDecisionHandler;
import io.tasker.worker.examples.decision.ValidateRequestHandler;
import io.tasker.worker.examples.errors.FlakyInventoryHandler;
import io.tasker.worker.examples.errors.Payments;
import io.tasker.worker.examples.errors.ValidateOrderHandler;
import io.tasker.worker.examples.events.OrderEventPublisher;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.ResultAssert;
import io.tasker.worker.testing.StepContextBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example handlers one by one, with hand-built contexts ({@link HandlerTester}); no engine. */
class ExampleHandlersTest {

    private static StepContextBuilder afterValidation(double amount) {
        return HandlerTester.context().dependencyResult("validate_request", Map.of("valid", true, "amount", amount));
    }

    @Test
    void routingByAmount() {
        RoutingDecisionHandler h = new RoutingDecisionHandler();
        assertThat(HandlerTester.run(h, afterValidation(999.99).build()))
                .createsSteps("auto_approve")
                .hasResultAt("routing_context.route", "auto")
                .hasMetadata("decision_handler", "approval_routing.routing_decision");
        assertThat(HandlerTester.run(h, afterValidation(1000).build())).createsSteps("manager_approval");
        assertThat(HandlerTester.run(h, afterValidation(4999).build())).createsSteps("manager_approval");
        assertThat(HandlerTester.run(h, afterValidation(5000).build()))
                .createsSteps("manager_approval", "finance_review");
        assertThat(HandlerTester.run(h, HandlerTester.context().build()))
                .isNotRetryable()
                .hasErrorType("decision_error");
    }

    @Test
    void validationFailsPermanently() {
        assertThat(HandlerTester.run(new ValidateRequestHandler(), b -> b.input("amount", 0)))
                .isNotRetryable()
                .hasErrorType("validation_error")
                .hasErrorCode("INVALID_AMOUNT");
        assertThat(HandlerTester.run(new ValidateRequestHandler(), b -> b.input("amount", 12)))
                .isSuccess()
                .hasResult(Map.of("valid", true, "amount", 12.0, "requester", "unknown"));
    }

    @Test
    void finalizeLooksOnlyAtCreatedBranches() {
        StepHandlerResult r = HandlerTester.run(
                new FinalizeApprovalHandler(),
                HandlerTester.context()
                        .dependencyResult("manager_approval", Map.of("approved", true))
                        .dependencyResult("finance_review", Map.of("approved", true))
                        .build());
        assertThat(r)
                .isSuccess()
                .hasResult(Map.of("approved", true, "approved_by", List.of("manager_approval", "finance_review")));
    }

    @Test
    void createBatchesSplitsTheItems() {
        StepContext ctx = HandlerTester.context()
                .stepConfig(Map.of("worker_template_name", "process_batch", "worker_count", 3))
                .dependencyResult("analyze_dataset", Map.of("total_items", 10))
                .build();
        assertThat(HandlerTester.run(new CreateBatchesHandler(), ctx))
                .createsBatches("process_batch", 3)
                .hasResultAt(
                        "batch_processing_outcome.cursor_configs.2",
                        Map.of("batch_id", "003", "start_cursor", 8, "end_cursor", 10, "batch_size", 2))
                .hasResultAt("batch_processing_outcome.total_items", 10);
        StepContext empty = HandlerTester.context()
                .stepConfig(Map.of("worker_template_name", "process_batch"))
                .dependencyResult("analyze_dataset", Map.of("total_items", 0))
                .build();
        assertThat(HandlerTester.run(new CreateBatchesHandler(), empty))
                .isSuccess()
                .hasResultAt("batch_processing_outcome.type", "no_batches")
                .hasResultAt("reason", "no items to process");
    }

    private static StepContextBuilder worker(int start, int end) {
        return HandlerTester.context()
                .stepConfig(Map.of("checkpoint_interval", 10, "fail_at_item", 25))
                .stepInputs(Map.of(
                        "cursor",
                        Map.of("batch_id", "001", "start_cursor", start, "end_cursor", end, "batch_size", end - start),
                        "batch_metadata",
                        Map.of("cursor_field", "item_index"),
                        "is_no_op",
                        false));
    }

    @Test
    void processBatchSumsItsSlice() {
        assertThat(HandlerTester.run(new ProcessBatchHandler(), worker(0, 4).build()))
                .isSuccess()
                .hasResultAt("batch_worker_outcome.items_processed", 4)
                .hasResultAt("batch_worker_outcome.results.0.sum", 10);
        assertThat(HandlerTester.run(
                        new ProcessBatchHandler(),
                        HandlerTester.context()
                                .stepInputs(Map.of(
                                        "cursor",
                                        Map.of("batch_id", "000", "start_cursor", 0, "end_cursor", 0, "batch_size", 0),
                                        "is_no_op",
                                        true))
                                .build()))
                .isSuccess()
                .hasResultAt("no_op", true);
    }

    @Test
    void checkpointingWorkerYieldsEveryTenItems() {
        // No failure point in 50..80: three chunks, two checkpoints.
        List<StepHandlerResult> results =
                HandlerTester.runWithCheckpoints(new CheckpointingBatchWorker(), worker(50, 80), 10);
        assertEquals(3, results.size());
        assertThat(results.get(0)).isCheckpointYield(60, 10);
        assertThat(results.get(1)).isCheckpointYield(70, 20);
        long expected = 0;
        for (int i = 50; i < 80; i++) {
            expected += i + 1;
        }
        assertThat(results.get(2))
                .isSuccess()
                .hasResultAt("batch_worker_outcome.results.0.sum", expected)
                .hasResultAt("batch_worker_outcome.batch_metadata.checkpoints", 2);
    }

    @Test
    void checkpointingWorkerCrashesOnceThenResumes() {
        StepContextBuilder ctx = worker(0, 50);
        List<StepHandlerResult> firstAttempt =
                HandlerTester.runWithCheckpoints(new CheckpointingBatchWorker(), ctx, 10);
        StepHandlerResult crash = firstAttempt.get(firstAttempt.size() - 1);
        assertThat(crash).isRetryable().hasErrorMessageContaining("Simulated crash at item 25");
        // the retry sees the last stored checkpoint (cursor 20) and attempt 2
        List<StepHandlerResult> retry =
                HandlerTester.runWithCheckpoints(new CheckpointingBatchWorker(), ctx.retryCount(1), 10);
        assertThat(retry.get(retry.size() - 1))
                .isSuccess()
                .hasResultAt("batch_worker_outcome.results.0.sum", 1275)
                .hasResultAt("batch_worker_outcome.batch_metadata.resumed_from", 20)
                .hasResultAt("batch_worker_outcome.batch_metadata.attempt", 2);
    }

    @Test
    void aggregateAddsWorkerSums() {
        StepContext ctx = HandlerTester.context()
                .stepConfig(Map.of("batchable_step", "create_batches", "worker_prefix", "process_batch_"))
                .dependencyResult(
                        "create_batches", Map.of("batch_processing_outcome", Map.of("type", "create_batches")))
                .dependencyResult(
                        "process_batch_001",
                        Map.of(
                                "batch_worker_outcome",
                                Map.of(
                                        "items_processed",
                                        2,
                                        "items_succeeded",
                                        2,
                                        "results",
                                        List.of(Map.of("sum", 3)))))
                .dependencyResult(
                        "process_batch_002",
                        Map.of(
                                "batch_worker_outcome",
                                Map.of(
                                        "items_processed",
                                        2,
                                        "items_succeeded",
                                        2,
                                        "results",
                                        List.of(Map.of("sum", 7)))))
                .build();
        assertThat(HandlerTester.run(new AggregateResultsHandler(), ctx))
                .isSuccess()
                .hasResultAt("total_sum", 10)
                .hasResultAt("worker_count", 2)
                .hasResultAt("scenario", "with_batches")
                .hasResultAt("batch_count", 2);
    }

    @Test
    void errorExamples() {
        assertThat(HandlerTester.run(new ValidateOrderHandler(), b -> b.input("quantity", -1)))
                .isNotRetryable()
                .hasErrorType("validation_error")
                .hasErrorCode("INVALID_QUANTITY")
                .hasMetadata("field", "quantity");
        assertThat(HandlerTester.run(new FlakyInventoryHandler(), b -> b.retryCount(0)))
                .isRetryable()
                .hasErrorType("retryable_error")
                .hasErrorMessage("Inventory service unavailable (attempt 1)");
        assertThat(HandlerTester.run(new FlakyInventoryHandler(), b -> b.retryCount(2)))
                .isSuccess()
                .hasResultAt("attempts", 3);
        assertThat(HandlerTester.runObserver(
                        new Payments(),
                        HandlerTester.context()
                                .input("payment_outcome", "declined")
                                .build()))
                .isNotRetryable()
                .hasErrorCode("CARD_DECLINED")
                .hasErrorType("permanent_error");
        assertThat(HandlerTester.runObserver(
                        new Payments(),
                        HandlerTester.context()
                                .input("payment_outcome", "throttled")
                                .build()))
                .isRetryable()
                .hasRetryAfter(1);
    }

    @Test
    void orderPublisherReshapesThePayload() {
        OrderEventPublisher p = new OrderEventPublisher();
        Object payload = p.transformPayload(
                new EventExecutionResult(true, "completed", Map.of("order_id", "A", "amount", 1.5), null, null),
                new EventDeclaration("order.placed", null, null, "fast", OrderEventPublisher.NAME, null),
                new StepEventContext("t-1", "s-1", "place_order", "event_examples", "c-1", null, null));
        assertEquals(
                true,
                ResultAssert.jsonEquals(Map.of("order_id", "A", "amount_cents", 150, "task_uuid", "t-1"), payload));
    }
}
