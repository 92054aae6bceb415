package io.tasker.worker.internal.cdi;

import io.tasker.worker.api.StepInterceptor;
import io.tasker.worker.api.logging.LogSink;
import io.tasker.worker.api.logging.TaskerLog;
import io.tasker.worker.internal.config.WorkerSettings;
import io.tasker.worker.internal.ffi.LibraryLocator;
import io.tasker.worker.internal.ffi.TaskerFfi;
import io.tasker.worker.internal.logging.EngineLogSink;
import io.tasker.worker.internal.runtime.TemplateGraph;
import io.tasker.worker.internal.runtime.TemplateLoader;
import io.tasker.worker.internal.runtime.TemplateSource;
import io.tasker.worker.internal.runtime.WorkerRuntime;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Starts the worker with the application and stops it gracefully with it.
 *
 * <p>Startup: settings, engine library, templates, {@code bootstrap_worker}, then the poll tick on the container's
 * scheduled executor; handlers run on the container's managed executor (threads stay the container's). A failure
 * (bad settings, a missing library, a bootstrap the engine refuses, e.g. tasker-core's database unreachable) is
 * logged as a startup error and kept: the application stays deployed, the started and ready probes report DOWN
 * with the error, and the REST API answers 503. Bean-managed concurrency and transactions: the default container lock
 * would serialise every status read, and nothing here is transactional.
 */
@Startup
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class TaskerWorker {

    private static final Logger LOG = Logger.getLogger(TaskerWorker.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Resource
    ManagedExecutorService executor;

    @Inject
    Config config;

    @Inject
    CdiHandlerRegistry registry;

    @Inject
    CdiLifecycleListener listener;

    @Inject
    @Any
    Instance<StepInterceptor> interceptors;

    private volatile WorkerSettings settings;
    private volatile WorkerRuntime runtime;
    private volatile String libraryVersion;
    private volatile LogSink engineLog;
    private volatile String startupError;
    private volatile TemplateGraph templateGraph;

    @PostConstruct
    void start() {
        try {
            startWorker();
        } catch (RuntimeException e) {
            startupError = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.log(java.util.logging.Level.SEVERE, "Tasker worker failed to start: " + startupError, e);
        }
    }

    private void startWorker() {
        long started = System.nanoTime();
        settings = WorkerSettings.fromConfig(config);
        TaskerFfi ffi = LibraryLocator.standard(settings.libraryPath(), settings.taskerCore())
                .load();
        libraryVersion = ffi.version();
        List<TemplateSource> templates =
                TemplateLoader.load(settings.templatePath(), TaskerWorker.class.getClassLoader());
        if (settings.taskerCore()) {
            templateGraph = TemplateGraph.of(templates);
        }
        WorkerRuntime rt =
                new WorkerRuntime(ffi, settings, registry, executor, scheduler, listener, registry::versionOf);
        rt.useInterceptors(interceptorChain());
        String workerId = rt.bootstrap(templates);
        try {
            rt.start();
        } catch (RuntimeException e) {
            rt.stop(); // the engine is bootstrapped: stop it before the deployment fails
            throw e;
        }
        runtime = rt;
        if (settings.engineLog()) {
            engineLog = new EngineLogSink(ffi);
            TaskerLog.addSink(engineLog);
        }
        LOG.info(() -> "Tasker worker " + workerId + " started in " + (System.nanoTime() - started) / 1_000_000
                + " ms: backend " + settings.backend() + ", library " + libraryVersion + " from " + ffi.path() + ", "
                + templates.size() + " templates, "
                + registry.handlerCount() + " handlers, " + settings.maxConcurrency() + " slots");
    }

    @PreDestroy
    void stop() {
        LogSink sink = engineLog;
        if (sink != null) {
            TaskerLog.removeSink(sink);
            engineLog = null;
        }
        WorkerRuntime rt = runtime;
        if (rt != null) {
            long begun = System.nanoTime();
            rt.stop();
            LOG.info(() -> "Tasker worker " + rt.workerId() + " stopped in " + (System.nanoTime() - begun) / 1_000_000
                    + " ms");
        }
    }

    /** Interceptor beans, lowest {@link Priority} outermost (unannotated ones last). */
    private List<StepInterceptor> interceptorChain() {
        List<Instance.Handle<StepInterceptor>> handles = new ArrayList<>();
        interceptors.handles().forEach(handles::add);
        handles.sort(Comparator.comparingInt(h -> {
            Priority p = h.getBean().getBeanClass().getAnnotation(Priority.class);
            return p == null ? Integer.MAX_VALUE : p.value();
        }));
        List<StepInterceptor> chain = new ArrayList<>();
        handles.forEach(h -> chain.add(h.get()));
        return chain;
    }

    /** The running worker, or {@code null} before startup finished. */
    public WorkerRuntime runtime() {
        return runtime;
    }

    /**
     * The loaded engine, for beans that call it directly (the domain-event poller). {@code null} before startup
     * finished; never make client calls from the poll thread.
     */
    @Produces
    @Dependent
    public TaskerFfi engine() {
        WorkerRuntime rt = runtime;
        return rt == null ? null : rt.engine();
    }

    /** Step dependencies of the loaded templates, when the backend reports no step parents (tasker-core); else null. */
    public TemplateGraph templateGraph() {
        return templateGraph;
    }

    /** Why the worker did not start, or {@code null}. */
    public String startupError() {
        return startupError;
    }

    public WorkerSettings settings() {
        return settings;
    }

    public String libraryVersion() {
        return libraryVersion;
    }

    public CdiHandlerRegistry registry() {
        return registry;
    }
}
