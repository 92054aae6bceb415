package io.tasker.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import io.tasker.worker.internal.runtime.EventHeader;
import io.tasker.worker.internal.runtime.LifecycleListener;
import io.tasker.worker.internal.runtime.TemplateSource;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Every performance target of the worker in one run, each as a ratio to a figure of the same run (the machines are
 * noisy; absolute figures across runs mean little):
 * <ol>
 *   <li><b>FFI crossing</b>: a single-thread poll/complete loop, no handler, through the JNA interface binding with
 *       {@code String} arguments and a {@code String} event (the binding before direct mapping), against the same
 *       loop through {@link TaskerFfi}'s byte path (direct mapping, UTF-8 bytes both ways, the event read by the
 *       runtime's header scan instead of a Jackson tree);</li>
 *   <li><b>full worker</b>: {@link WorkerRuntime} with a trivial handler at 1, 2, 4 and 10 slots, against the byte
 *       bare loop; tasks are created before the worker starts, as for the bare loops;</li>
 *   <li><b>latency</b>: one single-step task every 20 ms, from the moment the engine made its step ready (the
 *       task's {@code created_at}, stamped by the engine's wall clock at the start of the creation) to the handler's
 *       first line, p50/p99; the same from the start of the {@code client_create_task} call, which adds the caller's
 *       request building and the crossing; and the CPU the worker uses while idle (the poller thread alone, and the
 *       whole process);</li>
 *   <li><b>durable</b>: the 10-slot worker with a data directory under {@code target/}, against in memory;</li>
 *   <li><b>I/O-bound</b>: handlers that sleep 20 ms, at 100 and 1,000 slots, on platform threads and (Java 21+) on
 *       virtual threads, against min(slots / 20 ms, the best trivial-step figure).</li>
 * </ol>
 * Run: {@code mvn -B -q -DskipTests test-compile exec:java@worker-bench -Dbench.tasks=4000} (tasks of four steps per
 * round).
 */
public final class WorkerBenchmark {

    private static final String CHAIN = BenchTemplates.CHAIN;
    private static final String SINGLE = BenchTemplates.SINGLE;
    private static final int STEPS_PER_TASK = BenchTemplates.STEPS_PER_TASK;
    private static final List<TemplateSource> TEMPLATES =
            List.of(new TemplateSource("chain.yaml", CHAIN), new TemplateSource("single.yaml", SINGLE));

    /** The binding before direct mapping: an interface proxy, {@code String} in and out. */
    public interface StringBinding extends Library {
        Pointer poll_step_events();

        int complete_step_event(String eventId, String resultJson);

        void free_rust_string(Pointer p);
    }

    /** Rounds per comparison; the ratios are the median over rounds, the figures the best round. */
    private static final int ROUNDS = 5;

    private final List<String> table = new ArrayList<>();

    private WorkerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        new WorkerBenchmark().run(tasks);
    }

    /**
     * Sections to run ({@code -Dbench.only=crossing,slots,latency,durable,io}); all by default. {@code depth} (the
     * engine's cost against the events in flight, a bare loop) runs only when named.
     */
    private static final String ONLY = System.getProperty("bench.only", "");

    private static boolean section(String name) {
        return ONLY.isBlank() || List.of(ONLY.split(",")).contains(name);
    }

    private void run(int tasks) throws Exception {
        System.out.printf(
                "Worker benchmark: %d tasks of %d steps per round, Java %s, %d cores%n",
                tasks, STEPS_PER_TASK, Runtime.version(), Runtime.getRuntime().availableProcessors());
        TaskerFfi ffi = LibraryLocator.standard(null).load();
        StringBinding strings =
                Native.load(ffi.path(), StringBinding.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

        if (List.of(ONLY.split(",")).contains("depth")) { // only when asked for: not a target
            depth(ffi, tasks);
        }
        if (section("crossing")) {
            crossing(ffi, strings, tasks);
        }
        ExecutableHandler trivial = ctx -> StepHandlerResult.success(Map.of("ok", true));
        double top = section("slots")
                ? slots(ffi, tasks, trivial)
                : Double.parseDouble(System.getProperty("bench.ceiling", "30000"));
        if (section("latency")) {
            latencyAndIdle();
        }
        if (section("durable")) {
            durable(tasks, trivial);
        }
        if (section("io")) {
            io(top);
        }

        System.out.println();
        System.out.println("| measurement | value | target |");
        System.out.println("| --- | ---: | --- |");
        table.forEach(System.out::println);
    }

    /** 1. The crossing: rounds alternate so both loops see the same machine. */
    private void crossing(TaskerFfi ffi, StringBinding strings, int tasks) {
        for (int i = 0; i < 2; i++) {
            bareStrings(ffi, strings, tasks / 2);
            bareBytes(ffi, tasks / 2);
        }
        double strBest = 0;
        double bytesBest = 0;
        List<Double> crossing = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            double str = bareStrings(ffi, strings, tasks);
            double bytes = bareBytes(ffi, tasks);
            strBest = Math.max(strBest, str);
            bytesBest = Math.max(bytesBest, bytes);
            crossing.add(bytes / str);
        }
        row("bare loop, String interface binding (before)", strBest, "steps/s", "");
        row(
                "bare loop, direct mapping + bytes",
                bytesBest,
                "steps/s",
                ratio("≥ 1.5 × String binding", median(crossing), 1.5));
    }

    /** 2. The full worker, trivial handler; each round runs the bare loop and every slot count back to back. */
    private double slots(TaskerFfi ffi, int tasks, ExecutableHandler trivial) throws Exception {
        for (int i = 0; i < 3; i++) {
            worker(tasks / 2, 4, trivial, null, false); // warm-up
        }
        int[] slotCounts = java.util.Arrays.stream(
                        System.getProperty("bench.slots", "1,2,4,10").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        double[] best = new double[slotCounts.length];
        List<Double> tenToBare = new ArrayList<>();
        List<Double> tenToOne = new ArrayList<>();
        double bareBest = 0;
        for (int round = 0; round < ROUNDS; round++) {
            double bare = bareBytes(ffi, tasks);
            bareBest = Math.max(bareBest, bare);
            double one = 0;
            for (int i = 0; i < slotCounts.length; i++) {
                double v = worker(tasks, slotCounts[i], trivial, null, false);
                best[i] = Math.max(best[i], v);
                one = slotCounts[i] == 1 ? v : one;
                if (slotCounts[i] == 10) {
                    tenToBare.add(v / bare);
                    tenToOne.add(v / one);
                }
            }
        }
        double top = 0;
        double ten = 0;
        for (int i = 0; i < slotCounts.length; i++) {
            row("full worker, " + slotCounts[i] + " slot(s)", best[i], "steps/s", "");
            top = Math.max(top, best[i]);
            ten = slotCounts[i] == 10 ? best[i] : ten;
        }
        row("full worker, best slot count", top, "steps/s", verdict("≥ 22,000", top >= 22_000));
        row(
                "full worker 10 slots / bare loop (bytes), median of rounds",
                median(tenToBare),
                "",
                ratio("≥ 0.75", median(tenToBare), 0.75));
        row(
                "full worker 10 slots / 1 slot, median of rounds",
                median(tenToOne),
                "",
                ratio("≥ 1.0", median(tenToOne), 1.0));
        return top;
    }

    /** 4. Durable: alternating with in memory. */
    private void durable(int tasks, ExecutableHandler trivial) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-data-");
        try {
            double durableBest = 0;
            List<Double> durableRatio = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                double memory = worker(tasks, 10, trivial, null, false);
                double durable = worker(tasks, 10, trivial, dir, false);
                durableBest = Math.max(durableBest, durable);
                durableRatio.add(durable / memory);
            }
            row(
                    "durable (data dir in target/), 10 slots",
                    durableBest,
                    "steps/s",
                    ratio("≥ 0.5 × in memory, 10 slots", median(durableRatio), 0.5));
        } finally {
            deleteTree(dir);
        }
    }

    /** 5. I/O-bound handlers, against min(slots / 20 ms, {@code top}). */
    private void io(double top) throws Exception {
        ExecutableHandler sleepy = ctx -> {
            Thread.sleep(20);
            return StepHandlerResult.success(Map.of("ok", true));
        };
        // The same wait without a thread: the stage completes 20 ms later on a timer thread, as an HTTP client's
        // sendAsync completes on its own threads.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("bench-timer", null));
        StepHandlerResult ok = StepHandlerResult.success(Map.of("ok", true));
        AsyncStepHandler waitsAsync = ctx -> {
            CompletableFuture<StepHandlerResult> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(ok), 20, TimeUnit.MILLISECONDS);
            return f;
        };
        int[] slotCounts = java.util.Arrays.stream(
                        System.getProperty("bench.io.slots", "100,1000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        for (int slots : slotCounts) {
            double ideal = Math.min(slots / 0.020, top);
            int ioTasks = (int) Math.max(500, Math.min(ideal * 3 / STEPS_PER_TASK, 15_000));
            double platform = worker(ioTasks, slots, sleepy, null, false);
            row(
                    "20 ms handlers, " + slots + " slots, platform threads",
                    platform,
                    "steps/s",
                    ratio("≥ 0.8 × " + String.format(Locale.ROOT, "%,.0f", ideal), platform / ideal, 0.8));
            double async = worker(ioTasks, slots, waitsAsync, null, false);
            row(
                    "20 ms asynchronous handlers, " + slots + " slots",
                    async,
                    "steps/s",
                    ratio("≥ 0.8 × " + String.format(Locale.ROOT, "%,.0f", ideal), async / ideal, 0.8));
            if (Runtime.version().feature() >= 21) {
                double virtual = worker(ioTasks, slots, sleepy, null, true);
                row(
                        "20 ms handlers, " + slots + " slots, virtual threads",
                        virtual,
                        "steps/s",
                        ratio("≥ 0.8 × " + String.format(Locale.ROOT, "%,.0f", ideal), virtual / ideal, 0.8));
            }
        }
    }

    // ---- bare loops ----

    /**
     * The engine's cost per step against the number of events in flight: one thread keeps {@code depth} events
     * polled, completing the oldest before it polls the next (no handler, no worker).
     */
    private void depth(TaskerFfi ffi, int tasks) {
        for (int depth : new int[] {1, 10, 100, 1000, 1, 1000}) {
            bootstrap(ffi, null);
            try {
                for (int i = 0; i < tasks; i++) {
                    create(ffi, "bench_chain", i);
                }
                java.util.ArrayDeque<JsonNode> held = new java.util.ArrayDeque<>();
                int done = 0;
                long start = System.nanoTime();
                while (done < tasks * STEPS_PER_TASK) {
                    if (held.size() < depth) {
                        byte[] event = ffi.pollStepEventBytes();
                        if (event != null) {
                            try {
                                held.add(Json.MAPPER.readTree(event));
                            } catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                            continue;
                        }
                    }
                    JsonNode e = held.poll();
                    byte[] result = TaskerFfi.nul(
                            "{\"step_uuid\":\"" + e.path("step_uuid").asText()
                                    + "\",\"success\":true,\"status\":\"completed\",\"result\":{\"ok\":true},"
                                    + "\"metadata\":{\"execution_time_ms\":0,\"retryable\":false}}");
                    if (!ffi.completeStepEvent(TaskerFfi.nul(e.path("event_id").asText()), result)) {
                        throw new IllegalStateException("completion refused");
                    }
                    done++;
                }
                row(
                        "bare loop, " + depth + " event(s) in flight",
                        done / ((System.nanoTime() - start) / 1e9),
                        "steps/s",
                        "");
            } finally {
                ffi.transitionToGracefulShutdown();
                ffi.stopWorker();
            }
        }
    }

    private static double bareStrings(TaskerFfi ffi, StringBinding lib, int tasks) {
        return bare(ffi, tasks, () -> {
            Pointer p = lib.poll_step_events();
            if (p == null) {
                return 0;
            }
            String event;
            try {
                event = p.getString(0, "UTF-8");
            } finally {
                lib.free_rust_string(p);
            }
            JsonNode e = Json.parse(event);
            String result = "{\"step_uuid\":\"" + e.path("step_uuid").asText()
                    + "\",\"success\":true,\"status\":\"completed\",\"result\":{\"ok\":true},"
                    + "\"metadata\":{\"execution_time_ms\":0,\"retryable\":false}}";
            return lib.complete_step_event(e.path("event_id").asText(), result) == 1 ? 1 : -1;
        });
    }

    private static double bareBytes(TaskerFfi ffi, int tasks) {
        return bare(ffi, tasks, () -> {
            byte[] event = ffi.pollStepEventBytes();
            if (event == null) {
                return 0;
            }
            // The event read as the runtime reads it: a header scan, no tree.
            EventHeader e = EventHeader.of(event);
            byte[] result = TaskerFfi.nul("{\"step_uuid\":\"" + e.stepUuid()
                    + "\",\"success\":true,\"status\":\"completed\",\"result\":{\"ok\":true},"
                    + "\"metadata\":{\"execution_time_ms\":0,\"retryable\":false}}");
            return ffi.completeStepEvent(TaskerFfi.nul(e.eventId()), result) ? 1 : -1;
        });
    }

    /** Steps per second of {@code step} (1 done, 0 nothing queued, -1 refused) on one thread. */
    private static double bare(TaskerFfi ffi, int tasks, LongSupplier step) {
        bootstrap(ffi, null);
        try {
            for (int i = 0; i < tasks; i++) {
                create(ffi, "bench_chain", i);
            }
            int done = 0;
            long start = System.nanoTime();
            while (done < tasks * STEPS_PER_TASK) {
                long r = step.getAsLong();
                if (r < 0) {
                    throw new IllegalStateException("completion refused");
                }
                done += (int) r;
            }
            return done / ((System.nanoTime() - start) / 1e9);
        } finally {
            ffi.transitionToGracefulShutdown();
            ffi.stopWorker();
        }
    }

    // ---- the full worker ----

    /** Steps per second through the worker; tasks are created before it starts polling. */
    private static double worker(int tasks, int slots, ExecutableHandler handler, Path dataDir, boolean virtual)
            throws Exception {
        TaskerFfi ffi = LibraryLocator.standard(null).load();
        Harness h = new Harness(ffi, slots, handler, dataDir, virtual);
        try {
            for (int i = 0; i < tasks; i++) {
                create(ffi, "bench_chain", i);
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            h.runtime.start();
            long target = (long) tasks * STEPS_PER_TASK;
            long deadline = start + TimeUnit.MINUTES.toNanos(5);
            // status() walks the steps in flight: read the handler count until the last handler ran, then status().
            while (h.handled.sum() < target && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            while (h.runtime.status().succeeded() < target) {
                if (System.nanoTime() - deadline > 0 || h.runtime.status().failed() > 0) {
                    throw new IllegalStateException("worker did not finish: " + h.runtime.status());
                }
                Thread.sleep(1);
            }
            double perSecond = target / ((System.nanoTime() - start) / 1e9);
            if (Boolean.getBoolean("bench.verbose")) {
                System.out.printf(
                        Locale.ROOT,
                        "    %d slots: %,.0f steps/s; CPU per step: process %.1f µs, handler threads %.1f µs (%d threads),"
                                + " poller %.1f µs%n",
                        slots,
                        perSecond,
                        (processCpuNanos() - cpu0) / 1e3 / target,
                        cpuNanos(mx, h.handlerThreads) / 1e3 / target,
                        h.handlerThreads.size(),
                        h.schedulerCpuNanos(mx) / 1e3 / target);
                System.out.printf(
                        "    %d slots: polls %d (empty %d), waits %d, batch polls %d, batch completions %d%n",
                        slots,
                        h.runtime.status().polls(),
                        h.runtime.status().pollsEmpty(),
                        ffi.waitCalls(),
                        ffi.batchPollCalls(),
                        ffi.batchCompletionCalls());
            }
            return perSecond;
        } finally {
            h.close();
        }
    }

    private void latencyAndIdle() throws Exception {
        AtomicLong started = new AtomicLong();
        AtomicLong startedEpochMicros = new AtomicLong();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        ExecutableHandler stamp = ctx -> {
            started.set(System.nanoTime());
            startedEpochMicros.set(epochMicros(Instant.now()));
            LockSupport.unpark(waiter.get());
            return StepHandlerResult.success(Map.of("ok", true));
        };
        waiter.set(Thread.currentThread());
        TaskerFfi ffi = LibraryLocator.standard(null).load();
        Harness h = new Harness(ffi, 10, stamp, null, false);
        try {
            h.runtime.start();
            Thread.sleep(300);
            int n = 300;
            int warmUp = 50;
            long[] micros = new long[n];
            long[] fromReady = new long[n];
            for (int i = 0; i < n + warmUp; i++) {
                started.set(0);
                long t0 = System.nanoTime();
                String response = create(ffi, "bench_single", i);
                long waitUntil = t0 + TimeUnit.SECONDS.toNanos(5);
                // Parked, not spinning: the measuring thread must not take a core from the worker.
                while (started.get() == 0 && System.nanoTime() - waitUntil < 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                if (i >= warmUp) {
                    micros[i - warmUp] = (started.get() - t0) / 1000;
                    Instant ready = Instant.parse(
                            Json.parse(response).path("data").path("created_at").asText());
                    fromReady[i - warmUp] = startedEpochMicros.get() - epochMicros(ready);
                }
                Thread.sleep(20);
            }
            Arrays.sort(micros);
            Arrays.sort(fromReady);
            double p50 = fromReady[n / 2] / 1000.0;
            double p99 = fromReady[(int) (n * 0.99)] / 1000.0;
            row("low load (1 step / 20 ms): ready → handler start p50", p50, "ms", verdict("≤ 0.3 ms", p50 <= 0.3));
            row("low load: ready → handler start p99", p99, "ms", verdict("≤ 2 ms", p99 <= 2.0));
            row("low load: create call start → handler start p50", micros[n / 2] / 1000.0, "ms", "");
            row("low load: create call start → handler start p99", micros[(int) (n * 0.99)] / 1000.0, "ms", "");

            // Idle: nothing to do for 3 s.
            Thread.sleep(500);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            // The poller's work may run on handler threads too (engine rounds): count the scheduler and the handlers.
            long pollerBefore = h.schedulerCpuNanos(threads) + cpuNanos(threads, h.handlerThreads);
            long processBefore = processCpuNanos();
            long wallBefore = System.nanoTime();
            Thread.sleep(3000);
            double wall = System.nanoTime() - wallBefore;
            double poller =
                    (h.schedulerCpuNanos(threads) + cpuNanos(threads, h.handlerThreads) - pollerBefore) / wall * 100;
            double process = (processCpuNanos() - processBefore) / wall * 100;
            row(
                    "idle: poller CPU (scheduler + handler threads)",
                    poller,
                    "% of a core",
                    verdict("< 1 %", poller < 1.0));
            row("idle: whole process CPU (JVM included)", process, "% of a core", "");
        } finally {
            h.close();
        }
    }

    /** One worker runtime on plain executors, as the container would give it (no lifecycle listener). */
    private static final class Harness implements AutoCloseable {
        final WorkerRuntime runtime;
        final ExecutorService handlers;
        final ScheduledExecutorService scheduler;
        final List<Thread> schedulerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Thread> handlerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.LongAdder handled = new java.util.concurrent.atomic.LongAdder();

        Harness(TaskerFfi ffi, int slots, ExecutableHandler handler, Path dataDir, boolean virtual) throws Exception {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("tasker.worker.max-concurrency", Integer.toString(slots));
            settings.put("tasker.engine.data-dir", dataDir == null ? WorkerSettings.IN_MEMORY : dataDir.toString());
            settings.put("tasker.worker.shutdown-grace-ms", "5000");
            DefaultHandlerRegistry registry = new DefaultHandlerRegistry();
            if (handler instanceof AsyncStepHandler async) {
                registry.register("bench.step", (AsyncStepHandler)
                        ctx -> async.callAsync(ctx).whenComplete((r, t) -> handled.increment()));
            } else {
                registry.register("bench.step", ctx -> {
                    StepHandlerResult r = handler.call(ctx);
                    handled.increment();
                    return r;
                });
            }
            handlers = virtual
                    ? virtualThreads()
                    : Executors.newFixedThreadPool(slots, daemon("bench-handler", handlerThreads));
            scheduler = Executors.newScheduledThreadPool(1, daemon("bench-poller", schedulerThreads));
            runtime = new WorkerRuntime(
                    ffi,
                    WorkerSettings.of(settings),
                    registry,
                    handlers,
                    scheduler,
                    LifecycleListener.NONE,
                    name -> "1.0.0");
            runtime.bootstrap(TEMPLATES);
        }

        long schedulerCpuNanos(ThreadMXBean mx) {
            return cpuNanos(mx, schedulerThreads);
        }

        @Override
        public void close() {
            try {
                runtime.stop();
            } finally {
                handlers.shutdownNow();
                scheduler.shutdownNow();
            }
        }
    }

    private static long cpuNanos(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    private static ExecutorService virtualThreads() throws Exception {
        return (ExecutorService)
                Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    private static void bootstrap(TaskerFfi ffi, Path dataDir) {
        String boot = ffi.bootstrapWorker(Json.write(Map.of(
                "worker_id", "bench-" + UUID.randomUUID(),
                "templates", List.of(Map.of("source", "chain.yaml", "yaml", CHAIN)),
                "engine", Map.of("data_dir", dataDir == null ? "" : dataDir.toString()))));
        if (!Json.parse(boot).path("success").asBoolean()) {
            throw new IllegalStateException(boot);
        }
    }

    /** Distinct contexts across rounds: a durable data directory keeps the identities of earlier rounds. */
    private static final String RUN = UUID.randomUUID().toString();

    private static final AtomicLong SEQ = new AtomicLong();

    private static long epochMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    private static String create(TaskerFfi ffi, String template, int i) {
        String response = ffi.clientCreateTask(Json.write(Map.of(
                "name",
                template,
                "namespace",
                "bench",
                "version",
                "1.0.0",
                "context",
                Map.of("i", i, "run", RUN, "seq", SEQ.incrementAndGet()),
                "initiator",
                "bench",
                "source_system",
                "bench",
                "reason",
                "bench")));
        if (!response.startsWith("{\"success\":true")) {
            throw new IllegalStateException(response);
        }
        return response;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static ThreadFactory daemon(String prefix, List<Thread> record) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            if (record != null) {
                record.add(t);
            }
            return t;
        };
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    private void row(String name, double value, String unit, String target) {
        String v = unit.isEmpty()
                ? String.format(Locale.ROOT, "%.2f", value)
                : unit.equals("steps/s")
                        ? String.format(Locale.ROOT, "%,.0f %s", value, unit)
                        : String.format(Locale.ROOT, "%.2f %s", value, unit);
        System.out.printf("%-58s %20s   %s%n", name, v, target);
        table.add("| " + name + " | " + v + " | " + target + " |");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String verdict(String target, boolean ok) {
        return target + (ok ? " ✓" : " ✗");
    }

    private static String ratio(String target, double ratio, double needed) {
        return target + (ratio >= needed ? " ✓" : " ✗") + String.format(Locale.ROOT, " (%.2f)", ratio);
    }
}
