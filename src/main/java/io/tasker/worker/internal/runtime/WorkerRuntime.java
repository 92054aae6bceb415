package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.HandlerRegistry;
import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.api.WorkerStartupException;
import io.tasker.worker.api.events.StepCheckpointYieldSent;
import io.tasker.worker.api.events.StepCompletionSent;
import io.tasker.worker.api.events.StepExecutionCompleted;
import io.tasker.worker.api.events.StepExecutionFailed;
import io.tasker.worker.api.events.StepExecutionReceived;
import io.tasker.worker.api.events.StepExecutionStarted;
import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.TaskerFfi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker, free of CDI so it runs in the container and in a plain JVM alike: lifecycle (bootstrap, start,
 * pause, drain, stop), the callbacks of {@link InFlightStep}, and the status figures. The work itself is split:
 * {@link PollLoop} (the single poll thread: deadlines, polling, dispatch), {@link ExecutionSlots} (the slots, the
 * events holding them, per-handler caps) and {@link MaintenanceTimers} (cleanup and metrics calls).
 */
public final class WorkerRuntime {

    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class.getName());

    private final TaskerFfi ffi;
    private final WorkerSettings settings;
    private final HandlerRegistry registry;
    private final ScheduledExecutorService scheduler;
    private final LifecycleListener listener;
    private final ExecutionSlots slots;
    private final MaintenanceTimers timers;
    private final PollLoop pollLoop;
    private final EngineRounds rounds;
    private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();
    private final Function<String, String> versionLookup;
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

    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /** The engine's dispatch metrics as last read ({@code get_ffi_dispatch_metrics}). */
    public record DispatchMetrics(
            long pendingCount, boolean starvationDetected, long starvingEventCount, Long oldestPendingAgeMs) {
        static final DispatchMetrics EMPTY = new DispatchMetrics(0, false, 0, null);
    }

    /**
     * @param versionLookup handler version by callable, for {@code metadata.handler_version} (may return null)
     */
    public WorkerRuntime(
            TaskerFfi ffi,
            WorkerSettings settings,
            HandlerRegistry registry,
            ExecutorService handlerExecutor,
            ScheduledExecutorService scheduler,
            LifecycleListener listener,
            Function<String, String> versionLookup) {
        this.ffi = ffi;
        this.settings = settings;
        this.registry = registry;
        this.scheduler = scheduler;
        this.listener = listener == null ? LifecycleListener.NONE : listener;
        this.versionLookup = versionLookup == null ? name -> null : versionLookup;
        this.slots = new ExecutionSlots(settings.maxConcurrency(), settings.handlerConcurrency());
        this.timers = new MaintenanceTimers(ffi, settings.metricsIntervalMs(), settings.cleanupIntervalMs());
        // The embedded engine with a data directory syncs every acknowledged completion: see EngineRounds, PollLoop.
        boolean durable = !settings.taskerCore() && settings.resolvedDataDir() != null;
        this.pollLoop = new PollLoop(
                this,
                ffi,
                slots,
                timers,
                handlerExecutor,
                settings.handlerTimeoutMs(),
                settings.pollIntervalMs(),
                durable);
        this.rounds = new EngineRounds(ffi, pollLoop, durable);
        this.emitReceived = this.listener.wants(StepExecutionReceived.class);
        this.emitStarted = this.listener.wants(StepExecutionStarted.class);
        this.emitCompleted = this.listener.wants(StepExecutionCompleted.class);
        this.emitFailed = this.listener.wants(StepExecutionFailed.class);
        this.emitCompletionSent = this.listener.wants(StepCompletionSent.class);
        this.emitCheckpoint = this.listener.wants(StepCheckpointYieldSent.class);
    }

    // ---- lifecycle ----

    /** Bootstraps the engine with the given templates. Fails with the engine's {@code error} text (docs/ffi-contract.md R8). */
    public String bootstrap(List<TemplateSource> templates) {
        synchronized (lifecycle) {
            String id = "java-worker-" + UUID.randomUUID();
            String config = BootstrapConfig.json(settings, id, templates);
            String response = ffi.bootstrapWorker(config);
            JsonNode result = response == null ? null : Json.parse(response);
            if (result == null || !result.path("success").asBoolean(false)) {
                state = WorkerState.FAILED;
                String error =
                        result == null ? "no response" : result.path("error").asText("no error text");
                throw new WorkerStartupException("Tasker engine bootstrap failed: " + error);
            }
            String engineId = InFlightStep.text(result, "worker_id");
            if (engineId == null) {
                // already_running carries no worker_id; ask the status instead
                JsonNode status = Json.parse(ffi.workerStatus());
                engineId = InFlightStep.text(status, "worker_id");
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
            state = WorkerState.RUNNING;
            pollLoop.start(scheduler, System.nanoTime());
        }
    }

    /** Whether the poll loop may take new events now. */
    boolean mayPoll() {
        return state == WorkerState.RUNNING && !paused;
    }

    /** Stops polling new events; in-flight handlers continue. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        pollLoop.wake();
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
            long started = System.nanoTime();
            // Once per stop, so an operator sees what the stop waits for (and a hang has a name).
            int waitingFor = slots.inFlightCount();
            int sending = rounds.earlyPending();
            LOG.info(() -> "Drain started: " + waitingFor + " handler(s) in flight " + inFlightByHandler() + ", "
                    + sending + " completion(s) being sent, waiting up to " + settings.shutdownGraceMs() + " ms");
            long deadline = started + TimeUnit.MILLISECONDS.toNanos(settings.shutdownGraceMs());
            // The tick keeps running meanwhile: it still enforces handler deadlines.
            while ((!slots.isEmpty() || rounds.earlyPending() > 0) && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<InFlightStep> stragglers = new ArrayList<>(slots.inFlight());
            for (InFlightStep straggler : stragglers) {
                LOG.warning(() -> "Shutdown grace period over: failing step " + straggler.stepUuid() + " ("
                        + straggler.handlerName() + ") as retryable");
                straggler.abandon("Worker shut down before handler '" + straggler.handlerName() + "' finished");
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            LOG.info(() -> "Drain ended after " + tookMs + " ms: " + Math.max(0, waitingFor - stragglers.size())
                    + " of " + waitingFor + " handler(s) finished, " + stragglers.size() + " failed as retryable");
            // A waiting poller returns within one wait (poll-interval-ms); give it a little more than that.
            pollLoop.stop(Math.max(1000, 4 * settings.pollIntervalMs()));
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

    // ---- called by InFlightStep ----

    /**
     * Frees the slot of a reported step. Returns the next waiting event of the same handler, which already holds a
     * global slot and must start now (the caller runs or submits it); or null.
     */
    InFlightStep release(InFlightStep execution, boolean success) {
        (success ? succeeded : failed).increment();
        return slots.release(execution);
    }

    /**
     * Frees the slot of a step whose completion is about to be queued, before the engine answered it (durable
     * engine only, and only while fewer than {@code 2 × EngineRounds.MAX_BATCH} such completions wait). Returns
     * false when the step keeps its slot until the answer.
     */
    boolean releaseBeforeSend(InFlightStep execution) {
        if (!rounds.tryEarly()) {
            return false;
        }
        InFlightStep next = slots.release(execution);
        if (next != null) {
            submit(next);
        } else {
            slots.signalFree(); // a waiting poller fills the slot while the completion waits for its sync
        }
        return true;
    }

    /** The engine answered the completion of a step released by {@link #releaseBeforeSend}. */
    void answeredAfterRelease(boolean success) {
        (success ? succeeded : failed).increment();
        rounds.earlyDone();
    }

    /** Hands a step to the next free handler thread. */
    void submit(InFlightStep step) {
        pollLoop.submit(step);
    }

    /** A waiting step for a handler thread that just finished one, or null. */
    InFlightStep nextReady() {
        return pollLoop.nextReady();
    }

    void handlerRan(long nanos) {
        pollLoop.handlerRan(nanos);
    }

    /** The next event for a handler thread whose step freed its slot (see {@link EngineRounds}). */
    InFlightStep pollNext() {
        return rounds.submit(null);
    }

    /** Queues a finished step's completion; returns an event for the calling thread to run next, or null. */
    InFlightStep sendCompletion(EngineRounds.Outcome outcome) {
        return rounds.submit(outcome);
    }

    /** Whether the poller waits in the engine for ready steps (the library has the ABI extensions). */
    public boolean waitsForEvents() {
        return pollLoop.waits();
    }

    void emit(StepLifecycleEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "Lifecycle listener failed on " + event.getClass().getSimpleName(),
                    e);
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

    public int slotsUsed() {
        return slots.used();
    }

    public int inFlightCount() {
        return slots.inFlightCount();
    }

    /** The most events ever in flight at once (tests assert it never exceeds the slot count). */
    public int maxObservedInFlight() {
        return slots.maxObservedInFlight();
    }

    /**
     * True when every slot has been taken for longer than a handler may run: the timeout sweep should have freed
     * one by then, so the dispatcher is stuck.
     */
    public boolean isDispatcherWedged() {
        long limit = TimeUnit.MILLISECONDS.toNanos(
                settings.handlerTimeoutMs() + Math.max(5000, 10 * settings.pollIntervalMs()));
        return slots.allTakenLongerThan(limit);
    }

    /** Events in flight per handler callable (running or waiting for their handler's cap); read off the hot path. */
    public Map<String, Integer> inFlightByHandler() {
        return slots.inFlightByHandler();
    }

    /** Per-handler caps with their running and waiting counts: {callable: {limit, running, waiting}}. */
    public Map<String, Map<String, Integer>> handlerLimits() {
        return slots.handlerLimits();
    }

    /** The state and figures now, for the status endpoint, the health checks and the gauges. */
    public WorkerStatus status() {
        return new WorkerStatus(
                state,
                workerId,
                ffi.path(),
                ffi.origin(),
                slots.used(),
                slots.total(),
                slots.inFlightCount(),
                inFlightByHandler(),
                handlerLimits(),
                timers.metrics(),
                pollLoop.polls.sum(),
                pollLoop.received.sum(),
                pollLoop.pollsEmpty.sum(),
                pollLoop.pollsFailed.sum(),
                succeeded.sum(),
                failed.sum(),
                paused,
                isDraining(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pollLoop.lastTickNanos()),
                isDispatcherWedged());
    }
}
