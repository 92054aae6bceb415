package io.tasker.worker.api.handler;

/** The decision outcome types the orchestrator understands ({@code decision_point_outcome.type}). */
public enum DecisionType {
    /** Create the named child steps. */
    CREATE_STEPS("create_steps"),
    /** Create nothing; the task completes with the steps it already has. */
    NO_BRANCHES("no_branches");

    private final String wireValue;

    DecisionType(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The snake_case value on the wire. */
    public String value() {
        return wireValue;
    }
}
