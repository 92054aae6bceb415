package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admitted steps waiting for a thread, and the threads that run them. A thread that finished a step takes the next
 * one from here before it leaves, so a busy worker moves steps between threads without waking any. New threads are
 * asked from the executor one at a time: at most one requested thread is on its way, and when it arrives it asks
 * for the next one if steps are still waiting. A burst thus grows the number of running threads only as long as
 * the steps outlast the threads already running (slow handlers), not once per step (quick ones).
 */
final class ReadySteps {

    private final Executor executor;
    private final ConcurrentLinkedQueue<InFlightStep> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Runnable runner = this::runFromQueue;

    ReadySteps(Executor executor) {
        this.executor = executor;
    }

    /** Queues a startable step and makes sure a thread is coming if none is. */
    void add(InFlightStep step) {
        queue.add(step);
        requestThread();
    }

    /** The next waiting step for a thread that is free, or null. */
    InFlightStep next() {
        InFlightStep step = queue.poll();
        if (step != null && !queue.isEmpty()) {
            requestThread();
        }
        return step;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    private void requestThread() {
        if (queue.isEmpty() || !requested.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(runner);
        } catch (RejectedExecutionException e) {
            requested.set(false);
            rejectAll(e);
        }
    }

    private void runFromQueue() {
        requested.set(false);
        InFlightStep step = next();
        if (step != null) {
            step.run();
        }
    }

    /** The executor takes no more work (the container is stopping): report every waiting step at once. */
    private void rejectAll(RejectedExecutionException e) {
        InFlightStep step;
        while ((step = queue.poll()) != null) {
            step.finish(StepHandlerResult.failure("Worker executor rejected the step: " + e.getMessage(),
                    ErrorType.HANDLER_ERROR, true), true, null);
        }
    }
}
