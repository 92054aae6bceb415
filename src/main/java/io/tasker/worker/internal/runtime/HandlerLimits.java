package io.tasker.worker.internal.runtime;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-handler caps ({@code tasker.worker.handler-concurrency.<callable>}) inside the global slots.
 *
 * <p>The handler is only known once {@code poll_step_events} returned, so the cap is applied after the poll: an
 * event whose handler is at its cap waits in that handler's FIFO, still holding its global slot (total in flight
 * stays within {@code max-concurrency}), and starts when a running execution of the same handler ends. Its
 * handler-timeout clock keeps running from the poll, as the engine's completion timeout does.
 *
 * <p>The runtime creates this only when at least one cap is configured, so an unlimited worker pays nothing.
 * Handlers without a cap have no lane and pass straight through.
 */
final class HandlerLimits {

    private static final class Lane {
        final int limit;
        int running;
        final ArrayDeque<InFlightStep> waiting = new ArrayDeque<>();

        Lane(int limit) {
            this.limit = limit;
        }
    }

    private final Map<String, Lane> lanes = new LinkedHashMap<>();

    HandlerLimits(Map<String, Integer> limits) {
        limits.forEach((callable, limit) -> lanes.put(callable, new Lane(limit)));
    }

    /** Null when no cap is configured: the runtime then skips every per-handler step. */
    static HandlerLimits of(Map<String, Integer> limits) {
        return limits == null || limits.isEmpty() ? null : new HandlerLimits(limits);
    }

    /** True when the execution may run now (and then holds a place in its lane); false when it was queued. */
    boolean admit(InFlightStep e) {
        String callable = e.handlerName();
        Lane lane = callable == null ? null : lanes.get(callable);
        if (lane == null) {
            return true;
        }
        synchronized (lane) {
            if (lane.running < lane.limit) {
                lane.running++;
                e.holdsLane = true;
                return true;
            }
            lane.waiting.addLast(e);
            return false;
        }
    }

    /**
     * Called once when an execution has been reported. Returns the next waiting execution of the same handler,
     * now holding the lane place, for the caller to submit; or null.
     */
    InFlightStep release(InFlightStep e) {
        String callable = e.handlerName();
        Lane lane = callable == null ? null : lanes.get(callable);
        if (lane == null) {
            return null;
        }
        synchronized (lane) {
            if (!e.holdsLane) {
                lane.waiting.remove(e); // reported while queued (timeout or shutdown)
                return null;
            }
            e.holdsLane = false;
            InFlightStep next = lane.waiting.pollFirst();
            if (next == null) {
                lane.running--;
            } else {
                next.holdsLane = true; // the place passes on directly
            }
            return next;
        }
    }

    /** {callable: {limit, running, waiting}} for the status endpoint and health data. */
    Map<String, Map<String, Integer>> snapshot() {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        lanes.forEach((callable, lane) -> {
            synchronized (lane) {
                Map<String, Integer> m = new LinkedHashMap<>();
                m.put("limit", lane.limit);
                m.put("running", lane.running);
                m.put("waiting", lane.waiting.size());
                out.put(callable, m);
            }
        });
        return out;
    }
}
