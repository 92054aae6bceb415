package io.tasker.worker.internal.runtime;

import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.StepHandlerResult;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admitted steps waiting for a thread, and the threads that run them. A thread that finished a step takes the next
 * one from here before it leaves, so a busy worker moves steps between threads without waking any.
 *
 * <p>How many threads to ask the executor for depends on how long handlers take. While they are quick (a moving
 * average under {@value #SLOW_NANOS} ns), one requested thread at a time is on its way, and it asks for the next
 * when steps are still waiting: the threads already running come back for the steps sooner than new ones would
 * start, and on a small machine every extra runnable thread takes time from the one polling for all. Once handlers
 * are slow (they wait on I/O), every waiting step gets its own thread at once, up to the slots.
 */
final class ReadySteps {

    private final Executor executor;
    private final boolean eager;
    private final ConcurrentLinkedQueue<InFlightStep> queue = new ConcurrentLinkedQueue<>();
    /** Handler run times above this make the worker start a thread per waiting step. */
    static final long SLOW_NANOS = 200_000;

    private final AtomicInteger requested = new AtomicInteger();
    /** The queue's length (a ConcurrentLinkedQueue counts by walking). */
    private final AtomicInteger size = new AtomicInteger();
    /** Moving average of handler run times; updated without a lock, as a hint. */
    private volatile long handlerNanos;

    private final Runnable runner = this::runFromQueue;

    /** {@code eager}: every waiting step gets its thread at once whatever the handlers take (durable engine). */
    ReadySteps(Executor executor, boolean eager) {
        this.executor = executor;
        this.eager = eager;
    }

    /** Queues a startable step and makes sure a thread is coming if none is. */
    void add(InFlightStep step) {
        queue.add(step);
        size.incrementAndGet();
        requestThread();
    }

    /** The next waiting step for a thread that is free, or null. */
    InFlightStep next() {
        InFlightStep step = queue.poll();
        if (step != null && size.decrementAndGet() > 0) {
            requestThread();
        }
        return step;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Whether handlers are quick (the moving average of their run times is under {@value #SLOW_NANOS} ns). */
    boolean quick() {
        return handlerNanos <= SLOW_NANOS;
    }

    /** Records one handler run, for the thread policy above. */
    void ran(long nanos) {
        long avg = handlerNanos;
        handlerNanos = avg + ((nanos - avg) >> 3);
    }

    private void requestThread() {
        while (true) {
            int waiting = size.get();
            if (waiting <= 0) {
                return;
            }
            int limit = eager || !quick() ? waiting : 1;
            int n = requested.get();
            if (n >= limit) {
                return;
            }
            if (!requested.compareAndSet(n, n + 1)) {
                continue;
            }
            try {
                executor.execute(runner);
            } catch (RejectedExecutionException e) {
                requested.decrementAndGet();
                rejectAll(e);
                return;
            }
        }
    }

    private void runFromQueue() {
        requested.decrementAndGet();
        InFlightStep step = next();
        if (step != null) {
            step.run();
        }
    }

    /** The executor takes no more work (the container is stopping): report every waiting step at once. */
    private void rejectAll(RejectedExecutionException e) {
        InFlightStep step;
        while ((step = queue.poll()) != null) {
            size.decrementAndGet();
            step.finish(
                    StepHandlerResult.failure(
                            "Worker executor rejected the step: " + e.getMessage(), ErrorType.HANDLER_ERROR, true),
                    true,
                    null);
        }
    }
}
