package io.tasker.worker.internal.registry;

import io.tasker.worker.api.AsyncStepHandler;
import io.tasker.worker.api.ErrorType;
import io.tasker.worker.api.ExecutableHandler;
import io.tasker.worker.api.HandlerDefinition;
import io.tasker.worker.api.HandlerInfo;
import io.tasker.worker.api.HandlerRegistry;
import io.tasker.worker.api.PermanentStepException;
import io.tasker.worker.api.StepHandler;
import io.tasker.worker.api.StepHandlerResult;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The registry used by the runtime: programmatic registrations plus an optional {@link HandlerSource} (the CDI
 * beans). Names are unique across both. Resolution honours {@code handler.method}; a shared instance without
 * method dispatch is returned as is, so the common path allocates nothing.
 */
public class DefaultHandlerRegistry implements HandlerRegistry {

    public static final String PROGRAMMATIC = "programmatic";

    private final ConcurrentHashMap<String, Registration> programmatic = new ConcurrentHashMap<>();
    private volatile HandlerSource source;

    public DefaultHandlerRegistry() {
        this(HandlerSource.NONE);
    }

    public DefaultHandlerRegistry(HandlerSource source) {
        this.source = source;
    }

    protected void setSource(HandlerSource source) {
        this.source = Objects.requireNonNull(source);
    }

    @Override
    public void register(String name, ExecutableHandler handler) {
        Objects.requireNonNull(handler, "handler");
        add(Registration.shared(checkName(name), versionOf(handler.getClass()), PROGRAMMATIC, handler));
    }

    @Override
    public void register(String name, String version, Supplier<? extends ExecutableHandler> factory) {
        Objects.requireNonNull(factory, "factory");
        add(new Registration(
                checkName(name),
                version == null ? "1.0.0" : version,
                null,
                PROGRAMMATIC,
                null,
                () -> Registration.Lease.of(Objects.requireNonNull(factory.get(), "factory returned null"))));
    }

    /** Registers an event-form handler under its own name and version. Fails if the name is taken. */
    public void register(ObserverHandler observer) {
        add(new Registration(
                checkName(observer.name()),
                observer.version(),
                null,
                PROGRAMMATIC,
                observer,
                () -> Registration.Lease.of(observer)));
    }

    @Override
    public synchronized void registerAll(Map<String, ? extends ExecutableHandler> handlers) {
        for (Map.Entry<String, ? extends ExecutableHandler> e : handlers.entrySet()) {
            checkName(e.getKey());
            Objects.requireNonNull(e.getValue(), "handler for " + e.getKey());
            if (isRegistered(e.getKey())) {
                throw new IllegalArgumentException("Handler name already registered: " + e.getKey());
            }
        }
        handlers.forEach(this::register);
    }

    @Override
    public boolean unregister(String name) {
        return name != null && programmatic.remove(name) != null;
    }

    @Override
    public boolean isRegistered(String name) {
        return name != null && find(name).isPresent();
    }

    @Override
    public Optional<ExecutableHandler> resolve(String name) {
        return resolve(HandlerDefinition.of(name));
    }

    @Override
    public Optional<ExecutableHandler> resolve(HandlerDefinition definition) {
        if (definition == null || definition.callable() == null) {
            return Optional.empty();
        }
        Optional<Registration> found = find(definition.callable());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Registration r = found.get();
        Method method = null;
        if (definition.usesMethodDispatch()) {
            if (r.type() != null) {
                Optional<Method> m = MethodDispatch.find(r.type(), definition.method());
                if (m.isEmpty()) {
                    return Optional.empty();
                }
                method = m.get();
            }
        }
        if (r.shared() != null && !definition.usesMethodDispatch()) {
            return Optional.of(r.shared());
        }
        Method target = method;
        String methodName = definition.method();
        boolean dispatch = definition.usesMethodDispatch();
        if (!dispatch && r.type() != null && AsyncStepHandler.class.isAssignableFrom(r.type())) {
            // A leased asynchronous handler is released when its stage completes, not when callAsync returns.
            AsyncStepHandler leased = ctx -> {
                Registration.Lease lease = r.lease().get();
                CompletionStage<StepHandlerResult> stage;
                try {
                    stage = ((AsyncStepHandler) lease.handler()).callAsync(ctx);
                } catch (Exception | Error e) {
                    lease.release().run();
                    throw e;
                }
                if (stage == null) {
                    lease.release().run();
                    return null;
                }
                stage.whenComplete((result, failure) -> lease.release().run());
                return stage;
            };
            return Optional.of(leased);
        }
        return Optional.of(ctx -> {
            Registration.Lease lease = r.lease().get();
            try {
                if (!dispatch) {
                    return lease.handler().call(ctx);
                }
                Method m = target != null
                        ? target
                        : MethodDispatch.find(lease.handler().getClass(), methodName)
                                .orElseThrow(() -> PermanentStepException.builder("Handler '" + r.name()
                                                + "' has no public method '" + methodName + "(StepContext)'")
                                        .errorType(ErrorType.HANDLER_NOT_FOUND)
                                        .build());
                return MethodDispatch.invoke(m, lease.handler(), ctx);
            } finally {
                lease.release().run();
            }
        });
    }

    @Override
    public List<HandlerInfo> listHandlers() {
        List<Registration> all = new ArrayList<>(source.all());
        all.addAll(programmatic.values());
        all.sort(Comparator.comparing(Registration::name));
        List<HandlerInfo> out = new ArrayList<>(all.size());
        for (Registration r : all) {
            List<String> capabilities = List.of("process");
            String className = r.type() == null ? null : r.type().getName();
            try {
                Registration.Lease lease = r.lease().get();
                try {
                    capabilities = lease.handler().capabilities();
                    if (className == null) {
                        className = lease.handler() instanceof ObserverHandler o
                                ? o.observerClass()
                                : lease.handler().getClass().getName();
                    }
                } finally {
                    lease.release().run();
                }
            } catch (RuntimeException e) {
                // listing must not fail because one handler cannot be created
            }
            out.add(new HandlerInfo(r.name(), r.version(), className, r.source(), capabilities));
        }
        return out;
    }

    @Override
    public int handlerCount() {
        return source.all().size() + programmatic.size();
    }

    /** The version a handler reports, or {@code null} when unknown. */
    public String versionOf(String name) {
        return find(name).map(Registration::version).orElse(null);
    }

    protected Optional<Registration> find(String name) {
        Registration r = programmatic.get(name);
        return r != null ? Optional.of(r) : source.find(name);
    }

    private synchronized void add(Registration r) {
        if (source.find(r.name()).isPresent() || programmatic.putIfAbsent(r.name(), r) != null) {
            throw new IllegalArgumentException("Handler name already registered: " + r.name());
        }
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Handler name must not be empty");
        }
        return name;
    }

    /** {@link StepHandler#version()} of a class (looking through proxies), else {@code 1.0.0}. */
    public static String versionOf(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            StepHandler a = c.getAnnotation(StepHandler.class);
            if (a != null) {
                return a.version();
            }
        }
        return "1.0.0";
    }
}
