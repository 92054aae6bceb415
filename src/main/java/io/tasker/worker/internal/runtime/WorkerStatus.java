package io.tasker.worker.internal.runtime;

import java.util.Map;

/**
 * The worker's state and figures at one moment, read off the hot path: what {@code GET /api/worker}, the health
 * checks and the telemetry gauges show, each rendering the fields it needs.
 *
 * @param state             lifecycle state
 * @param workerId          the engine's id of this worker ({@code null} before bootstrap)
 * @param libraryPath       the loaded engine library file
 * @param libraryOrigin     how it was found (setting, environment, bundled)
 * @param slotsUsed         execution slots taken
 * @param slotsTotal        execution slots ({@code tasker.worker.max-concurrency})
 * @param inFlight          events holding a slot (running or waiting for their handler's cap)
 * @param handlersInFlight  events in flight per handler callable
 * @param handlerLimits     per capped handler: {@code {limit, running, waiting}}
 * @param dispatch          the engine's dispatch metrics as last read
 * @param polls             {@code poll_step_events} calls
 * @param pollsHit          polls that returned an event (= events received)
 * @param pollsEmpty        polls that found nothing queued
 * @param pollsFailed       polls whose call threw
 * @param succeeded         executions reported as successes
 * @param failed            executions reported as failures
 * @param paused            polling paused by an operator
 * @param draining          a stop is under way (readiness down)
 * @param msSinceLastTick   time since the poll tick last ran
 * @param dispatcherWedged  every slot taken for longer than a handler may run
 */
public record WorkerStatus(
        WorkerState state,
        String workerId,
        String libraryPath,
        String libraryOrigin,
        int slotsUsed,
        int slotsTotal,
        int inFlight,
        Map<String, Integer> handlersInFlight,
        Map<String, Map<String, Integer>> handlerLimits,
        WorkerRuntime.DispatchMetrics dispatch,
        long polls,
        long pollsHit,
        long pollsEmpty,
        long pollsFailed,
        long succeeded,
        long failed,
        boolean paused,
        boolean draining,
        long msSinceLastTick,
        boolean dispatcherWedged) {}
