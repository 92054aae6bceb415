package io.tasker.worker.examples;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepContext;
import java.util.Map;

/** Reads the numbers the example workflows pass around; a missing or non-numeric value is a permanent failure. */
final class Numbers {

    private Numbers() {}

    static long input(StepContext ctx, String key) {
        return number(ctx.getInput(key), "input '" + key + "'");
    }

    /** The {@code result} field of a parent step's result object. */
    static long dependency(StepContext ctx, String step) {
        return number(ctx.getDependencyField(step, "result"), "result of step '" + step + "'");
    }

    private static long number(Object value, String what) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw PermanentStepException.builder("The " + what + " must be a number, got " + value)
                .errorType(ErrorType.VALIDATION_ERROR)
                .errorCode("INVALID_INPUT")
                .build();
    }

    static Map<String, Object> result(long value) {
        return Map.of("result", value);
    }
}
