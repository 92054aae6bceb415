package io.tasker.worker.api.domain;

/** In-process domain event JSON in the engine's shape (docs/ffi-contract.md §5.8). */
public final class DomainEventSamples {

    private DomainEventSamples() {}

    public static String event(String eventName, boolean success, String publisher) {
        return """
                {"eventId":"0193a1b2-0000-7000-8000-000000000001","eventName":"%s","eventVersion":"1.0",
                 "metadata":{"taskUuid":"0193a1b2-0000-7000-8000-00000000aaaa","stepUuid":"0193a1b2-0000-7000-8000-00000000bbbb",
                   "stepName":"place_order","namespace":"event_examples","correlationId":"0193a1b2-0000-7000-8000-00000000cccc",
                   "firedAt":"2026-02-15T19:43:46.123456789+00:00","firedBy":"worker-1"},
                 "payload":{
                   "task_sequence_step":{"task":{"task":{"task_uuid":"0193a1b2-0000-7000-8000-00000000aaaa"},"task_name":"order_events",
                       "task_version":"1.0.0","namespace_name":"event_examples"},
                     "workflow_step":{"name":"place_order","created_at":"2026-02-15T19:43:46.123456"},
                     "dependency_results":{},
                     "step_definition":{"name":"place_order","type":"standard","publishes_events":[
                       {"name":"%s","description":"d","condition":"always","delivery_mode":"fast"%s,
                        "schema":{"type":"object"}},
                       {"name":"order.other","description":"d2"}]}},
                   "execution_result":{"step_uuid":"0193a1b2-0000-7000-8000-00000000bbbb","success":%s,
                     "result":{"order_id":"ORD-7","amount":12.5},"status":"%s",
                     "metadata":{"execution_time_ms":12,"retryable":%s,"error_type":"%s"}%s},
                   "payload":{"order_id":"ORD-7","amount":12.5}}}
                """.formatted(
                        eventName,
                        eventName,
                        publisher == null ? "" : ",\"publisher\":\"" + publisher + "\"",
                        success,
                        success ? "completed" : "failed",
                        !success,
                        success ? "" : "payment_error",
                        success
                                ? ""
                                : ",\"error\":{\"message\":\"card declined\",\"error_type\":\"payment_error\",\"retryable\":false}");
    }
}
