package io.tasker.worker.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tasker.worker.api.domain.DomainEvent;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.examples.batch.AggregateResultsHandler;
import io.tasker.worker.examples.batch.AnalyzeDatasetHandler;
import io.tasker.worker.examples.batch.CheckpointingBatchWorker;
import io.tasker.worker.examples.batch.CreateBatchesHandler;
import io.tasker.worker.examples.batch.ProcessBatchHandler;
import io.tasker.worker.examples.decision.AutoApproveHandler;
import io.tasker.worker.examples.decision.FinalizeApprovalHandler;
import io.tasker.worker.examples.decision.FinanceReviewHandler;
import io.tasker.worker.examples.decision.ManagerApprovalHandler;
import io.tasker.worker.examples.decision.RoutingDecisionHandler;
import io.tasker.worker.examples.decision.ValidateRequestHandler;
import io.tasker.worker.examples.errors.FlakyInventoryHandler;
import io.tasker.worker.examples.errors.Payments;
import io.tasker.worker.examples.errors.ValidateOrderHandler;
import io.tasker.worker.examples.events.ConfirmOrderHandler;
import io.tasker.worker.examples.events.OrderEventPublisher;
import io.tasker.worker.examples.events.OrderEventSubscriber;
import io.tasker.worker.examples.events.PlaceOrderHandler;
import io.tasker.worker.examples.http.BuildProfileHandler;
import io.tasker.worker.examples.http.FetchUserAsyncHandler;
import io.tasker.worker.examples.http.FetchUserHandler;
import io.tasker.worker.testing.StepRun;
import io.tasker.worker.testing.TaskRun;
import io.tasker.worker.testing.TaskerTestEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every example template, run end to end through the real engine (in memory, in-process) with the example handlers,
 * using the shipped {@link TaskerTestEnvironment}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleWorkflowsEngineTest {

    private TaskerTestEnvironment env;
    private HttpServer api;
    private ExecutorService apiPool;
    private String apiBase;
    private final AtomicInteger throttledCalls = new AtomicInteger();
    private final OrderEventSubscriber orderEvents = new OrderEventSubscriber();

    @BeforeAll
    void start() throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/users/", this::users);
        apiPool = Executors.newFixedThreadPool(2);
        api.setExecutor(apiPool);
        api.start();
        apiBase = "http://127.0.0.1:" + api.getAddress().getPort();

        env = TaskerTestEnvironment.builder()
                .template("tasker/templates/approval_routing.yaml")
                .template("tasker/templates/batch_processing.yaml")
                .template("tasker/templates/checkpoint_batch.yaml")
                .template("tasker/templates/error_handling.yaml")
                .template("tasker/templates/http_integration.yaml")
                .template("tasker/templates/http_integration_async.yaml")
                .template("tasker/templates/domain_events.yaml")
                .handler(new ValidateRequestHandler())
                .handler(new RoutingDecisionHandler())
                .handler(new AutoApproveHandler())
                .handler(new ManagerApprovalHandler())
                .handler(new FinanceReviewHandler())
                .handler(new FinalizeApprovalHandler())
                .handler(new AnalyzeDatasetHandler())
                .handler(new CreateBatchesHandler())
                .handler(new ProcessBatchHandler())
                .handler(new CheckpointingBatchWorker())
                .handler(new AggregateResultsHandler())
                .handler(new ValidateOrderHandler())
                .handler(new FlakyInventoryHandler())
                .observer(new Payments())
                .handler(new FetchUserHandler())
                .handler(new FetchUserAsyncHandler())
                .handler(new BuildProfileHandler())
                .handler(new PlaceOrderHandler())
                .handler(new ConfirmOrderHandler())
                .publisher(new OrderEventPublisher())
                .subscriber(orderEvents)
                .build();
    }

    @AfterAll
    void stop() {
        if (env != null) {
            env.close();
        }
        api.stop(0);
        apiPool.shutdownNow();
    }

    private void users(HttpExchange ex) throws IOException {
        String id = ex.getRequestURI().getPath().substring("/users/".length());
        int status = 200;
        String body = "{\"id\":" + id + ",\"name\":\"ada\",\"email\":\"ada@example.com\"}";
        if (id.equals("404")) {
            status = 404;
            body = "{\"error\":\"user not found\"}";
        } else if (id.equals("7")
                && throttledCalls.getAndIncrement() % 2 == 0) { // each run: throttled once, then served
            status = 429;
            body = "{\"message\":\"slow down\"}";
            ex.getResponseHeaders().add("Retry-After", "1");
        }
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    // ---- decision ----

    @Test
    void smallAmountIsAutoApproved() {
        TaskRun run = env.run("approvals", "approval_routing", Map.of("amount", 250, "requester", "kim"));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(
                List.of("auto_approve", "finalize_approval", "routing_decision", "validate_request"), run.stepNames());
        assertEquals("create_steps", run.step("routing_decision").resultAt("decision_point_outcome.type"));
        assertEquals("auto", run.step("routing_decision").resultAt("routing_context.route"));
        assertEquals(true, run.step("finalize_approval").resultAt("approved"));
        assertEquals(List.of("auto_approve"), run.step("finalize_approval").resultAt("approved_by"));
    }

    @Test
    void mediumAmountNeedsAManager() {
        TaskRun run = env.run("approvals", "approval_routing", Map.of("amount", 2500));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(
                List.of("finalize_approval", "manager_approval", "routing_decision", "validate_request"),
                run.stepNames());
        assertEquals(List.of("manager_approval"), run.step("finalize_approval").resultAt("approved_by"));
    }

    @Test
    void largeAmountAlsoNeedsFinance() {
        TaskRun run = env.run("approvals", "approval_routing", Map.of("amount", 7500));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(
                List.of(
                        "finalize_approval",
                        "finance_review",
                        "manager_approval",
                        "routing_decision",
                        "validate_request"),
                run.stepNames());
        assertEquals(
                List.of("manager_approval", "finance_review"),
                run.step("finalize_approval").resultAt("approved_by"));
        assertEquals(
                "approval_routing.routing_decision",
                run.step("routing_decision").metadataAt("custom.decision_handler"));
    }

    @Test
    void invalidRequestFailsPermanentlyBeforeTheDecision() {
        TaskRun run = env.run("approvals", "approval_routing", Map.of("amount", -5));
        assertTrue(run.isFailed(), run.toString());
        StepRun validate = run.step("validate_request");
        assertEquals("error", validate.state());
        assertEquals(1, validate.attempts());
        assertEquals("validation_error", validate.errorType());
        assertEquals(false, validate.metadataAt("retryable"));
        assertFalse(run.hasStep("auto_approve"));
    }

    // ---- batch ----

    @Test
    void batchSumsOverFourWorkers() {
        TaskRun run =
                env.run("batch_examples", "number_batch_processing", Map.of("item_count", 1000, "worker_count", 4));
        assertTrue(run.isComplete(), run.toString());
        List<StepRun> workers = run.stepsStartingWith("process_batch_");
        assertEquals(
                List.of("process_batch_001", "process_batch_002", "process_batch_003", "process_batch_004"),
                workers.stream().map(StepRun::name).toList());
        assertEquals(250, ((Number) workers.get(3).resultAt("batch_worker_outcome.items_processed")).intValue());
        StepRun aggregate = run.step("aggregate_results");
        assertEquals(500500, ((Number) aggregate.resultAt("total_sum")).intValue());
        assertEquals("with_batches", aggregate.resultAt("scenario"));
        assertEquals(4, ((Number) aggregate.resultAt("worker_count")).intValue());
        assertEquals(1000, ((Number) aggregate.resultAt("total_processed")).intValue());
        assertEquals(1.0, ((Number) aggregate.resultAt("success_rate")).doubleValue());
    }

    @Test
    void noItemsGiveANoOpWorkerAndANoBatchesAggregate() {
        TaskRun run = env.run("batch_examples", "number_batch_processing", Map.of("item_count", 0));
        assertTrue(run.isComplete(), run.toString());
        assertEquals("no_batches", run.step("create_batches").resultAt("batch_processing_outcome.type"));
        assertEquals(true, run.step("process_batch_000").resultAt("no_op"));
        assertEquals("no_batches", run.step("aggregate_results").resultAt("scenario"));
        assertEquals(0, ((Number) run.step("aggregate_results").resultAt("total_sum")).intValue());
    }

    @Test
    void checkpointedWorkerCrashesOnceAndResumesFromItsCheckpoint() {
        TaskRun run = env.run("batch_examples", "checkpointed_batch_processing", Map.of("item_count", 100));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(5050, ((Number) run.step("aggregate_results").resultAt("total_sum")).intValue());
        StepRun crashed = run.step("checkpoint_batch_001");
        assertEquals(2, crashed.attempts());
        assertEquals(20, ((Number) crashed.resultAt("batch_worker_outcome.batch_metadata.resumed_from")).intValue());
        assertEquals(1275, ((Number) crashed.resultAt("batch_worker_outcome.results.0.sum")).intValue());
        StepRun clean = run.step("checkpoint_batch_002");
        assertEquals(1, clean.attempts());
        assertEquals(4, ((Number) clean.resultAt("batch_worker_outcome.batch_metadata.checkpoints")).intValue());
        assertTrue(env.lifecycleEvents().stream()
                .anyMatch(e -> e instanceof StepCheckpointYieldSent y
                        && y.accepted()
                        && y.taskUuid().equals(run.taskUuid())));
    }

    // ---- errors ----

    @Test
    void retryableFailuresAreRetriedUntilTheySucceed() {
        TaskRun run = env.run("error_examples", "order_with_errors", Map.of("quantity", 2));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(3, run.step("reserve_inventory").attempts());
        assertEquals(3, ((Number) run.step("reserve_inventory").resultAt("attempts")).intValue());
        assertEquals(true, run.step("charge_payment").resultAt("charged"));
    }

    @Test
    void permanentExceptionFailsAtOnce() {
        TaskRun run = env.run("error_examples", "order_with_errors", Map.of("quantity", 0));
        assertTrue(run.isFailed(), run.toString());
        StepRun validate = run.step("validate_order");
        assertEquals(1, validate.attempts());
        assertEquals("validation_error", validate.errorType());
        assertEquals("INVALID_QUANTITY", validate.metadataAt("error_code"));
    }

    @Test
    void declinedPaymentIsAPermanentFailureResult() {
        TaskRun run = env.run(
                "error_examples",
                "order_with_errors",
                Map.of("quantity", 1, "payment_outcome", "declined", "succeed_on_attempt", 1));
        assertTrue(run.isFailed(), run.toString());
        StepRun charge = run.step("charge_payment");
        assertEquals(1, charge.attempts());
        assertEquals("permanent_error", charge.errorType());
        assertEquals("CARD_DECLINED", charge.metadataAt("error_code"));
    }

    // ---- api ----

    /** The same API example with a blocking handler and with an asynchronous one: the outcomes are the same. */
    @ParameterizedTest
    @ValueSource(strings = {"user_profile_sync", "user_profile_sync_async"})
    void apiHandlerFetchesAUser(String template) {
        TaskRun run = env.run("http_examples", template, Map.of("api_base_url", apiBase, "user_id", 42));
        assertTrue(run.isComplete(), run.toString());
        assertEquals("ada", run.step("fetch_user").resultAt("user.name"));
        assertEquals(200, ((Number) run.step("fetch_user").metadataAt("custom.status_code")).intValue());
        assertEquals("ADA", run.step("build_profile").resultAt("display_name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user_profile_sync", "user_profile_sync_async"})
    void apiNotFoundIsPermanent(String template) {
        TaskRun run = env.run("http_examples", template, Map.of("api_base_url", apiBase, "user_id", 404));
        assertTrue(run.isFailed(), run.toString());
        StepRun fetch = run.step("fetch_user");
        assertEquals(1, fetch.attempts());
        assertEquals("not_found", fetch.errorType());
        assertEquals("HTTP 404: user not found", fetch.errorMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"user_profile_sync", "user_profile_sync_async"})
    void apiRateLimitIsRetried(String template) {
        TaskRun run = env.run("http_examples", template, Map.of("api_base_url", apiBase, "user_id", 7));
        assertTrue(run.isComplete(), run.toString());
        assertEquals(2, run.step("fetch_user").attempts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"user_profile_sync", "user_profile_sync_async"})
    void apiConnectionFailureIsRetryableConnectionError(String template) {
        TaskRun run = env.run("http_examples", template, Map.of("api_base_url", "http://127.0.0.1:1", "user_id", 1));
        assertTrue(run.isFailed(), run.toString());
        StepRun fetch = run.step("fetch_user");
        assertEquals(3, fetch.attempts());
        assertEquals("connection_error", fetch.errorType());
    }

    // ---- domain events ----

    @Test
    void fastDomainEventsReachTheSubscriberThroughThePublisher() throws InterruptedException {
        TaskRun run = env.run("event_examples", "order_events", Map.of("order_id", "ORD-7", "amount", 12.5));
        assertTrue(run.isComplete(), run.toString());
        long deadline = System.currentTimeMillis() + 3000;
        while (events(run).size() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        List<DomainEvent> events = events(run);
        assertEquals(
                List.of("order.placed", "order.confirmed"),
                events.stream().map(DomainEvent::eventName).toList());
        DomainEvent placed = events.get(0);
        assertEquals(OrderEventPublisher.NAME, placed.publisher());
        assertEquals(Map.of("order_id", "ORD-7", "amount_cents", 1250L, "task_uuid", run.taskUuid()), placed.payload());
        assertEquals("order-service", placed.publicationMetadata().get("source"));
        assertEquals("place_order", placed.metadata().stepName());
        assertTrue(placed.executionResult().success());
        DomainEvent confirmed = events.get(1);
        assertEquals("default", confirmed.publisher());
        assertEquals(Map.of("order_id", "ORD-7", "confirmed", true), confirmed.payload());
        assertTrue(env.recentDomainEvents().stream().anyMatch(e -> e.eventId().equals(placed.eventId())));
    }

    private List<DomainEvent> events(TaskRun run) {
        return orderEvents.received().stream()
                .filter(e -> run.taskUuid().equals(e.metadata().taskUuid()))
                .toList();
    }
}
