package io.tasker.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.HandlerRegistry;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.domain.DomainEvent;
import io.tasker.worker.api.domain.DomainEventPublisher;
import io.tasker.worker.api.domain.DomainEventSubscriber;
import io.tasker.worker.api.domain.PublisherRegistry;
import io.tasker.worker.api.domain.SubscriberRegistry;
import io.tasker.worker.api.events.StepLifecycleEvent;
import io.tasker.worker.internal.Json;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.domain.InProcessDomainEventPoller;
import io.tasker.worker.internal.domain.RecentDomainEvents;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.registry.DefaultHandlerRegistry;
import io.tasker.worker.internal.registry.ObserverMethods;
import io.tasker.worker.internal.runtime.TemplateLoader;
import io.tasker.worker.internal.runtime.TemplateSource;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs whole task templates through the real embedded engine, in-process and in memory, with real handler
 * instances and no application server — the worker's own runtime drives them exactly as in production.
 *
 * <pre>{@code
 * @TestInstance(TestInstance.Lifecycle.PER_CLASS)
 * class ApprovalRoutingTest {
 *     TaskerTestEnvironment env;
 *
 *     @BeforeAll void start() {
 *         env = TaskerTestEnvironment.builder()
 *                 .template("tasker/templates/approval_routing.yaml")      // a classpath resource or a Path
 *                 .handler(new ValidateRequestHandler())                   // named by its @StepHandler
 *                 .handler("approval_routing.routing_decision", new RoutingDecisionHandler())
 *                 .build();
 *     }
 *
 *     @AfterAll void stop() { env.close(); }
 *
 *     @Test void smallAmountIsAutoApproved() {
 *         TaskRun run = env.run("approvals", "approval_routing", Map.of("amount", 250));
 *         assertTrue(run.isComplete());
 *         assertEquals(true, run.step("finalize_approval").resultAt("approved"));
 *     }
 * }
 * }</pre>
 *
 * <p><b>One at a time.</b> The engine is a process-wide singleton, so one environment may be open per JVM; open it
 * once per test class and close it afterwards. Defaults suited to tests: in-memory storage, 4 execution slots,
 * retries after 20–200 ms. Threads here are plain daemon threads: this harness runs outside any container.
 *
 * <p>Domain events declared with {@code delivery_mode: fast} reach the {@link DomainEventSubscriber}s and
 * {@link DomainEventPublisher}s given to the builder; {@link #recentDomainEvents()} lists them.
 *
 * <p>With JUnit 5, {@link TaskerTest @TaskerTest} does the opening and closing for you.
 */
public final class TaskerTestEnvironment implements AutoCloseable {

    /** Task states after which nothing more happens without an operator. */
    public static final Set<String> TERMINAL =
            Set.of("complete", "error", "blocked_by_failures", "cancelled", "resolved_manually");

    private static final AtomicBoolean OPEN = new AtomicBoolean();

    private final TaskerFfi ffi;
    private final WorkerRuntime runtime;
    private final DefaultHandlerRegistry registry;
    private final ExecutorService handlers;
    private final ScheduledExecutorService scheduler;
    private final InProcessDomainEventPoller domainEvents;
    // Appended from handler threads for every step: a queue keeps each add O(1), unlike a copy-on-write list.
    private final java.util.Queue<StepLifecycleEvent> lifecycleEvents = new ConcurrentLinkedQueue<>();
    private final Duration defaultTimeout;
    private boolean closed;

    private TaskerTestEnvironment(Builder b) {
        if (!OPEN.compareAndSet(false, true)) {
            throw new IllegalStateException("A TaskerTestEnvironment is already open in this JVM; the engine is "
                    + "process-wide, so close the other one first");
        }
        try {
            this.ffi = LibraryLocator.standard(b.libraryPath).load();
            if (ffi.isWorkerRunning()) {
                throw new IllegalStateException(
                        "The engine is already running in this JVM (another worker was " + "started and not stopped)");
            }
            this.registry = new DefaultHandlerRegistry();
            b.registrations.forEach(r -> r.accept(registry));
            Map<String, String> settings = new LinkedHashMap<>(Builder.DEFAULTS);
            settings.putAll(b.settings);
            WorkerSettings workerSettings = WorkerSettings.of(settings);
            this.handlers =
                    Executors.newFixedThreadPool(workerSettings.maxConcurrency(), daemon("tasker-test-handler"));
            this.scheduler = Executors.newScheduledThreadPool(2, daemon("tasker-test-poller"));
            this.runtime = new WorkerRuntime(
                    ffi, workerSettings, registry, handlers, scheduler, lifecycleEvents::add, registry::versionOf);
            runtime.bootstrap(b.templates);
            runtime.start();
            PublisherRegistry publishers = new PublisherRegistry();
            b.publishers.forEach(publishers::register);
            SubscriberRegistry subscribers = new SubscriberRegistry();
            b.subscribers.forEach(subscribers::register);
            subscribers.start();
            this.domainEvents = new InProcessDomainEventPoller(publishers, subscribers);
            domainEvents.setPollFunction(ffi::pollInProcessEvent);
            domainEvents.start(scheduler, Duration.ofMillis(5));
            this.defaultTimeout = b.timeout;
        } catch (RuntimeException | Error e) {
            OPEN.set(false);
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates a task (version {@code 1.0.0}) and waits until it is terminal. */
    public TaskRun run(String namespace, String name, Map<String, ?> context) {
        return run(namespace, name, "1.0.0", context, defaultTimeout);
    }

    /** Creates a task and waits until it is terminal or {@code timeout} passes (then throws AssertionError). */
    public TaskRun run(String namespace, String name, String version, Map<String, ?> context, Duration timeout) {
        return await(start(namespace, name, version, context), timeout);
    }

    /** Creates a task and returns its id without waiting. */
    public String start(String namespace, String name, String version, Map<String, ?> context) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", name);
        request.put("namespace", namespace);
        request.put("version", version);
        request.put("context", context == null ? Map.of() : context);
        request.put("initiator", "tasker-test-environment");
        request.put("source_system", "test");
        request.put("reason", "test run");
        request.put("tags", List.of());
        // Equal contexts would otherwise collide on the engine's identity hash.
        request.put("idempotency_key", UUID.randomUUID().toString());
        return data(ffi.clientCreateTask(Json.write(request)), "create task " + namespace + "/" + name)
                .path("task_uuid")
                .asText();
    }

    /** Waits until the task is terminal, then returns it with its steps. */
    public TaskRun await(String taskUuid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode task = task(taskUuid);
        while (!TERMINAL.contains(task.path("status").asText())) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Task " + taskUuid + " not finished after " + timeout.toMillis()
                        + " ms: status " + task.path("status").asText() + ", steps "
                        + snapshot(taskUuid).steps());
            }
            sleep(10);
            task = task(taskUuid);
        }
        // Fast domain events are fired right after the last completion; give the poller a moment to deliver them.
        sleep(30);
        return snapshot(taskUuid);
    }

    /** The task and its steps as they are now. */
    @SuppressWarnings("unchecked")
    public TaskRun snapshot(String taskUuid) {
        JsonNode task = task(taskUuid);
        List<StepRun> steps = new ArrayList<>();
        for (JsonNode s : data(ffi.clientListTaskSteps(taskUuid), "list steps of " + taskUuid)) {
            JsonNode results = s.get("results");
            steps.add(new StepRun(
                    s.path("name").asText(),
                    s.path("step_uuid").asText(),
                    s.path("current_state").asText(),
                    s.path("attempts").asInt(0),
                    results == null || results.isNull() ? null : Json.MAPPER.convertValue(results, LinkedHashMap.class),
                    Json.MAPPER.convertValue(s, LinkedHashMap.class)));
        }
        return new TaskRun(
                taskUuid,
                task.path("status").asText(),
                Json.MAPPER.convertValue(task, LinkedHashMap.class),
                List.copyOf(steps));
    }

    /** The registry the runtime resolves handlers from (add handlers while the environment runs). */
    public HandlerRegistry handlers() {
        return registry;
    }

    /** The lifecycle events fired so far (received, started, completed, failed, completion sent, checkpoint). */
    public List<StepLifecycleEvent> lifecycleEvents() {
        return List.copyOf(lifecycleEvents);
    }

    /** The domain events delivered in-process so far (after their publisher's transformation), newest first. */
    public List<DomainEvent> recentDomainEvents() {
        return domainEvents.recent().snapshot().stream()
                .map(RecentDomainEvents.Entry::event)
                .toList();
    }

    /** The same {@link io.tasker.worker.api.client.TaskerClient} a bean injects on Liberty, over this engine. */
    public io.tasker.worker.api.client.TaskerClient client() {
        return new io.tasker.worker.internal.client.FfiTaskerClient(() -> ffi);
    }

    /** Stops the worker and the engine; the next environment may then open. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            domainEvents.stop();
            runtime.stop();
        } finally {
            handlers.shutdownNow();
            scheduler.shutdownNow();
            try {
                handlers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            OPEN.set(false);
        }
    }

    private JsonNode task(String taskUuid) {
        return data(ffi.clientGetTask(taskUuid), "get task " + taskUuid);
    }

    private static JsonNode data(String envelope, String what) {
        JsonNode n = envelope == null ? null : Json.parse(envelope);
        if (n == null || !n.path("success").asBoolean(false)) {
            throw new IllegalStateException("Engine call failed (" + what + "): " + envelope);
        }
        return n.get("data");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the engine", e);
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures an environment; {@link #build()} starts it. */
    public static final class Builder {

        static final Map<String, String> DEFAULTS = Map.of(
                "tasker.engine.data-dir", WorkerSettings.IN_MEMORY,
                "tasker.worker.max-concurrency", "4",
                "tasker.worker.poll-interval-ms", "5",
                "tasker.worker.handler-timeout-ms", "10000",
                "tasker.worker.shutdown-grace-ms", "2000",
                "tasker.engine.backoff.base-ms", "20",
                "tasker.engine.backoff.max-ms", "200");

        private final List<TemplateSource> templates = new ArrayList<>();
        private final List<java.util.function.Consumer<DefaultHandlerRegistry>> registrations = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<DomainEventPublisher> publishers = new ArrayList<>();
        private final List<DomainEventSubscriber> subscribers = new ArrayList<>();
        private String libraryPath;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        /** A template from the classpath (e.g. {@code tasker/templates/x.yaml}) or, failing that, the file system. */
        public Builder template(String resourceOrPath) {
            try (InputStream in = TaskerTestEnvironment.class.getClassLoader().getResourceAsStream(resourceOrPath)) {
                if (in != null) {
                    templates.add(
                            new TemplateSource(resourceOrPath, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    return this;
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read template " + resourceOrPath, e);
            }
            return template(Path.of(resourceOrPath));
        }

        /** A template file, or every {@code *.yaml}/{@code *.yml} file of a directory. */
        public Builder template(Path fileOrDirectory) {
            try {
                if (java.nio.file.Files.isDirectory(fileOrDirectory)) {
                    templates.addAll(TemplateLoader.fromDirectory(fileOrDirectory));
                } else {
                    templates.add(new TemplateSource(
                            fileOrDirectory.getFileName().toString(),
                            java.nio.file.Files.readString(fileOrDirectory, StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read template " + fileOrDirectory, e);
            }
            return this;
        }

        /** Template YAML given inline. */
        public Builder templateYaml(String name, String yaml) {
            templates.add(new TemplateSource(name, yaml));
            return this;
        }

        /** Every template bundled with the worker ({@code tasker/templates/index.txt}). */
        public Builder bundledTemplates() {
            templates.addAll(TemplateLoader.bundled(TaskerTestEnvironment.class.getClassLoader()));
            return this;
        }

        /** A shared handler instance under its {@link StepHandler} name. */
        public Builder handler(ExecutableHandler handler) {
            StepHandler annotation = handler.getClass().getAnnotation(StepHandler.class);
            if (annotation == null) {
                throw new IllegalArgumentException(
                        handler.getClass().getName() + " has no @StepHandler; use handler(name, handler)");
            }
            return handler(annotation.value(), handler);
        }

        /** A shared handler instance under {@code name}. */
        public Builder handler(String name, ExecutableHandler handler) {
            registrations.add(r -> r.register(name, handler));
            return this;
        }

        /** A handler created afresh for every execution. */
        public Builder handler(String name, Supplier<? extends ExecutableHandler> factory) {
            registrations.add(r -> r.register(name, null, factory));
            return this;
        }

        /**
         * Every event-form handler of {@code bean}: its {@code @Observes @StepHandler("name") StepExecution} methods,
         * called directly (no CDI container here), each under its own name.
         */
        public Builder observer(Object bean) {
            ObserverMethods.of(bean).values().forEach(h -> registrations.add(r -> r.register(h)));
            return this;
        }

        /** A domain event publisher. */
        public Builder publisher(DomainEventPublisher publisher) {
            publishers.add(publisher);
            return this;
        }

        /** A domain event subscriber. */
        public Builder subscriber(DomainEventSubscriber subscriber) {
            subscribers.add(subscriber);
            return this;
        }

        /** A worker setting ({@code tasker.worker.*}, {@code tasker.engine.*}), over the test defaults. */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** How long {@link #run} waits by default (30 s). */
        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        /** Load the engine from this file instead of the usual lookup. */
        public Builder libraryPath(String path) {
            libraryPath = path;
            return this;
        }

        /** Starts the engine and the worker. */
        public TaskerTestEnvironment build() {
            return new TaskerTestEnvironment(this);
        }
    }
}
