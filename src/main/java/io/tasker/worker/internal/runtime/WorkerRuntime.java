package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.HandlerRegistry;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.ffi.TaskerFfi;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker loop, free of CDI so it runs in the container and in a plain JVM alike.
 *
 * <p><b>Slots.</b> A semaphore holds {@code max-concurrency} execution slots. The poller takes a slot
 * <em>before</em> each {@code poll_step_events} and gives it back at once when nothing was polled; otherwise the
 * slot travels with the event and is released only after the engine accepted (or refused) its outcome. The engine
 * therefore never holds more of our events than we can run (contract B1).
 *
 * <p><b>One thread polls.</b> A single scheduled tick (every {@code poll-interval-ms}) drains every available event
 * while slots remain, fails events past their deadline, and runs the periodic {@code cleanup_timeouts} and
 * starvation/metrics calls. Handlers run on the injected executor. Client calls never happen here (B13).
 *
 * <p><b>Deadlines.</b> The handler timeout counts from the poll, since the engine's own completion timeout does too.
 * An expired event is failed as a retryable {@code timeout} and its handler interrupted; a late result is dropped.
 * The slot is freed with the timeout report, so a handler that ignores interrupts keeps its thread but not its slot.
 */
public final class WorkerRuntime {

    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class.getName());

    private final TaskerFfi ffi;
    private final WorkerSettings settings;
    private final HandlerRegistry registry;
    private final ExecutorService handlerExecutor;
    private final ScheduledExecutorService scheduler;
    private final LifecycleListener listener;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, StepExecution> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();
    private final Function<String, String> versionLookup;
    private final long timeoutNanos;
    private final Object lifecycle = new Object();

    final boolean emitReceived;
    final boolean emitStarted;
    final boolean emitCompleted;
    final boolean emitFailed;
    final boolean emitCompletionSent;
    final boolean emitCheckpoint;

    private volatile List<StepInterceptor> interceptors = List.of();
    private volatile WorkerState state = WorkerState.CREATED;
    private volatile boolean paused;
    private volatile String workerId;
    private volatile ResultSerializer serializer;
    private volatile ScheduledFuture<?> tick;
    private volatile long lastTickNanos = System.nanoTime();
    private volatile long lastReleaseNanos = System.nanoTime();
    private volatile DispatchMetrics metrics = DispatchMetrics.EMPTY;
    private long nextMetricsNanos;
    private long nextCleanupNanos;
    private volatile int maxObservedInFlight;

    private final LongAdder polls = new LongAdder();
    private final LongAdder pollsEmpty = new LongAdder();
    private final LongAdder pollsFailed = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /** The engine's dispatch metrics as last read ({@code get_ffi_dispatch_metrics}). */
    public record DispatchMetrics(long pendingCount, boolean starvationDetected, long starvingEventCount,
                                  Long oldestPendingAgeMs) {
        static final DispatchMetrics EMPTY = new DispatchMetrics(0, false, 0, null);
    }

    /**
     * @param versionLookup handler version by callable, for {@code metadata.handler_version} (may return null)
     */
    public WorkerRuntime(TaskerFfi ffi, WorkerSettings settings, HandlerRegistry registry,
                         ExecutorService handlerExecutor, ScheduledExecutorService scheduler,
                         LifecycleListener listener, Function<String, String> versionLookup) {
        this.ffi = ffi;
        this.settings = settings;
        this.registry = registry;
        this.handlerExecutor = handlerExecutor;
        this.scheduler = scheduler;
        this.listener = listener == null ? LifecycleListener.NONE : listener;
        this.versionLookup = versionLookup == null ? name -> null : versionLookup;
        this.slots = new Semaphore(settings.maxConcurrency());
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.handlerTimeoutMs());
        this.emitReceived = this.listener.wants(StepExecutionReceived.class);
        this.emitStarted = this.listener.wants(StepExecutionStarted.class);
        this.emitCompleted = this.listener.wants(StepExecutionCompleted.class);
        this.emitFailed = this.listener.wants(StepExecutionFailed.class);
        this.emitCompletionSent = this.listener.wants(StepCompletionSent.class);
        this.emitCheckpoint = this.listener.wants(StepCheckpointYieldSent.class);
    }

    // ---- lifecycle ----

    /** Bootstraps the engine with the given templates. Fails with the engine's {@code error} text (B8). */
    public String bootstrap(List<TemplateSource> templates) {
        synchronized (lifecycle) {
            String id = "java-worker-" + UUID.randomUUID();
            String config = BootstrapConfig.json(settings, id, templates);
            String response = ffi.bootstrapWorker(config);
            JsonNode result = response == null ? null : Json.parse(response);
            if (result == null || !result.path("success").asBoolean(false)) {
                state = WorkerState.FAILED;
                String error = result == null ? "no response" : result.path("error").asText("no error text");
                throw new WorkerStartupException("Tasker engine bootstrap failed: " + error);
            }
            String engineId = StepExecution.text(result, "worker_id");
            if (engineId == null) {
                // already_running carries no worker_id; ask the status instead
                JsonNode status = Json.parse(ffi.workerStatus());
                engineId = StepExecution.text(status, "worker_id");
            }
            workerId = engineId == null ? id : engineId;
            serializer = new ResultSerializer(workerId);
            state = WorkerState.BOOTSTRAPPED;
            return workerId;
        }
    }

    /** Interceptors around every handler call, outermost first. Set before {@link #start()}. */
    public void useInterceptors(List<StepInterceptor> chain) {
        interceptors = List.copyOf(chain);
    }

    List<StepInterceptor> interceptors() {
        return interceptors;
    }

    /** Starts the poll tick. */
    public void start() {
        synchronized (lifecycle) {
            if (state != WorkerState.BOOTSTRAPPED) {
                throw new IllegalStateException("Cannot start a worker in state " + state.wireName());
            }
            long now = System.nanoTime();
            nextMetricsNanos = now;
            nextCleanupNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.cleanupIntervalMs());
            lastTickNanos = now;
            state = WorkerState.RUNNING;
            tick = scheduler.scheduleWithFixedDelay(this::tick, 0, settings.pollIntervalMs(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops polling new events; in-flight handlers continue. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    /** Marks the worker as draining (readiness goes down) without waiting. */
    public void beginDrain() {
        synchronized (lifecycle) {
            if (state == WorkerState.RUNNING || state == WorkerState.BOOTSTRAPPED || state == WorkerState.CREATED) {
                state = WorkerState.DRAINING;
            }
        }
    }

    /**
     * Graceful stop: no more polls, wait up to {@code shutdown-grace-ms} for in-flight handlers, fail the
     * stragglers as retryable, then {@code transition_to_graceful_shutdown} and {@code stop_worker}.
     */
    public void stop() {
        synchronized (lifecycle) {
            if (state == WorkerState.STOPPED) {
                return;
            }
            beginDrain();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.shutdownGraceMs());
            // The tick keeps running meanwhile: it still enforces handler deadlines.
            while (!inFlight.isEmpty() && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (StepExecution straggler : new ArrayList<>(inFlight.values())) {
                LOG.warning(() -> "Shutdown grace period over: failing step " + straggler.stepUuid()
                        + " (" + straggler.handlerName() + ") as retryable");
                straggler.abandon("Worker shut down before handler '" + straggler.handlerName() + "' finished");
            }
            ScheduledFuture<?> t = tick;
            if (t != null) {
                t.cancel(false);
            }
            if (workerId != null) {
                logEngineCall("transition_to_graceful_shutdown", ffi::transitionToGracefulShutdown);
                logEngineCall("stop_worker", ffi::stopWorker);
            }
            state = WorkerState.STOPPED;
        }
    }

    private static void logEngineCall(String name, java.util.function.Supplier<String> call) {
        try {
            String response = call.get();
            if (response != null && !Json.parse(response).path("success").asBoolean(false)) {
                LOG.warning(name + " reported: " + response);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name + " failed", e);
        }
    }

    // ---- the poll tick ----

    private void tick() {
        long now = System.nanoTime();
        lastTickNanos = now;
        try {
            if (!inFlight.isEmpty()) {
                expireDeadlines(now);
            }
            if (state == WorkerState.RUNNING && !paused) {
                pollAvailable();
            }
            if (now - nextMetricsNanos >= 0) {
                nextMetricsNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.metricsIntervalMs());
                ffi.checkStarvationWarnings();
                readMetrics();
            }
            if (now - nextCleanupNanos >= 0) {
                nextCleanupNanos = now + TimeUnit.MILLISECONDS.toNanos(settings.cleanupIntervalMs());
                ffi.cleanupTimeouts();
            }
        } catch (Throwable t) {
            // A periodic task that throws is never run again: log and carry on.
            LOG.log(Level.WARNING, "Poll tick failed", t);
        }
    }

    private void pollAvailable() {
        while (state == WorkerState.RUNNING && !paused && slots.tryAcquire()) {
            String json;
            try {
                polls.increment();
                json = ffi.pollStepEvent();
            } catch (RuntimeException e) {
                pollsFailed.increment();
                slots.release();
                throw e;
            }
            if (json == null) {
                pollsEmpty.increment();
                slots.release();
                return;
            }
            dispatch(json);
        }
    }

    private void dispatch(String json) {
        long now = System.nanoTime();
        received.increment();
        ObjectNode event;
        String eventId;
        try {
            event = (ObjectNode) Json.MAPPER.readTree(json);
            eventId = StepExecution.text(event, "event_id");
        } catch (Exception e) {
            event = null;
            eventId = null;
        }
        if (event == null || eventId == null) {
            // Without an event id nothing can be completed; the engine's timeout will fail it.
            slots.release();
            LOG.severe(() -> "Unreadable step event from the engine: " + abbreviate(json));
            return;
        }
        StepExecution execution = new StepExecution(this, event, eventId, now, timeoutNanos);
        inFlight.put(eventId, execution);
        int size = inFlight.size();
        if (size > maxObservedInFlight) {
            maxObservedInFlight = size;
        }
        if (emitReceived) {
            emit(new StepExecutionReceived(eventId, execution.taskUuid(), execution.stepUuid(),
                    execution.handlerName(), execution.stepName(), Instant.now()));
        }
        try {
            execution.attach(handlerExecutor.submit(execution));
        } catch (RejectedExecutionException e) {
            execution.finish(StepHandlerResult.failure("Worker executor rejected the step: " + e.getMessage(),
                    ErrorType.HANDLER_ERROR, true), true, null);
        }
    }

    private void expireDeadlines(long now) {
        for (StepExecution e : inFlight.values()) {
            if (now - e.deadlineNanos >= 0) {
                e.timeOut(settings.handlerTimeoutMs());
            }
        }
    }

    private void readMetrics() {
        String json = ffi.dispatchMetrics();
        if (json == null) {
            return;
        }
        JsonNode m = Json.parse(json);
        if (!m.path("pending_count").isNumber()) {
            return; // error form {success:false,…}
        }
        JsonNode oldest = m.get("oldest_pending_age_ms");
        metrics = new DispatchMetrics(m.path("pending_count").asLong(), m.path("starvation_detected").asBoolean(),
                m.path("starving_event_count").asLong(), oldest == null || oldest.isNull() ? null : oldest.asLong());
    }

    // ---- called by StepExecution ----

    void release(StepExecution execution, boolean success) {
        inFlight.remove(execution.eventId, execution);
        (success ? succeeded : failed).increment();
        lastReleaseNanos = System.nanoTime();
        slots.release();
    }

    void emit(StepLifecycleEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Lifecycle listener failed on " + event.getClass().getSimpleName(), e);
        }
    }

    String handlerVersion(String callable) {
        String v = versions.get(callable);
        if (v == null) {
            v = versionLookup.apply(callable);
            if (v != null) {
                versions.put(callable, v);
            }
        }
        return v;
    }

    TaskerFfi ffi() {
        return ffi;
    }

    HandlerRegistry registry() {
        return registry;
    }

    ResultSerializer serializer() {
        return serializer;
    }

    // ---- status ----

    public WorkerState state() {
        return state;
    }

    public boolean isPaused() {
        return paused;
    }

    public boolean isDraining() {
        return state == WorkerState.DRAINING;
    }

    public String workerId() {
        return workerId;
    }

    public WorkerSettings settings() {
        return settings;
    }

    public TaskerFfi engine() {
        return ffi;
    }

    public int slotsTotal() {
        return settings.maxConcurrency();
    }

    public int slotsUsed() {
        return settings.maxConcurrency() - slots.availablePermits();
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    /** The most events ever in flight at once (tests assert it never exceeds the slot count). */
    public int maxObservedInFlight() {
        return maxObservedInFlight;
    }

    public DispatchMetrics lastMetrics() {
        return metrics;
    }

    public long polls() {
        return polls.sum();
    }

    /** Polls that returned an event (cumulative). */
    public long pollsHit() {
        return received.sum();
    }

    /** Polls that found nothing queued. */
    public long pollsEmpty() {
        return pollsEmpty.sum();
    }

    /** Polls whose FFI call threw. */
    public long pollsFailed() {
        return pollsFailed.sum();
    }

    public long eventsReceived() {
        return received.sum();
    }

    public long succeeded() {
        return succeeded.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Milliseconds since the poll tick last ran. */
    public long millisSinceLastTick() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTickNanos);
    }

    /**
     * True when every slot has been taken for longer than a handler may run: the timeout sweep should have freed
     * one by then, so the dispatcher is stuck.
     */
    public boolean isDispatcherWedged() {
        if (slots.availablePermits() > 0 || inFlight.isEmpty()) {
            return false;
        }
        long limit = TimeUnit.MILLISECONDS.toNanos(settings.handlerTimeoutMs() + Math.max(5000, 10 * settings.pollIntervalMs()));
        return System.nanoTime() - lastReleaseNanos > limit;
    }

    /** A JSON-ready summary for the status endpoint and health data. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        DispatchMetrics dm = metrics;
        m.put("state", state.wireName());
        m.put("worker_id", workerId);
        m.put("library_path", ffi.path());
        m.put("library_origin", ffi.origin());
        m.put("slots_used", slotsUsed());
        m.put("slots_total", slotsTotal());
        m.put("in_flight", inFlight.size());
        m.put("pending", dm.pendingCount());
        m.put("starvation_detected", dm.starvationDetected());
        m.put("starving_events", dm.starvingEventCount());
        m.put("polls", polls());
        m.put("events_received", eventsReceived());
        m.put("succeeded", succeeded());
        m.put("failed", failed());
        m.put("paused", paused);
        m.put("draining", isDraining());
        m.put("ms_since_last_tick", millisSinceLastTick());
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
