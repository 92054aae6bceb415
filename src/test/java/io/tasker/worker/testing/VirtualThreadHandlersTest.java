package io.tasker.worker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tasker.worker.api.StepHandlerResult;
import io.tasker.worker.api.WorkerStartupException;
import io.tasker.worker.internal.runtime.VirtualThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * {@code tasker.handlers.virtual-threads}: handlers on virtual threads on Java 21+, a clear startup error before.
 * The build's default JVM is 17; run {@code JAVA_HOME=<a JDK 21+> mvn test -Dtest=VirtualThreadHandlersTest} for
 * the virtual-thread cases.
 */
class VirtualThreadHandlersTest {

    private static final String SLEEPY = """
            name: sleepy
            namespace_name: vt
            version: 1.0.0
            steps:
              - name: nap
                handler: { callable: vt.nap }
            """;

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void blockingHandlersRunOnVirtualThreadsAndOverlap() {
        AtomicInteger onVirtual = new AtomicInteger();
        AtomicInteger onPlatform = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        try (TaskerTestEnvironment env = TaskerTestEnvironment.builder()
                .templateYaml("sleepy.yaml", SLEEPY)
                .handler("vt.nap", ctx -> {
                    (VirtualThreads.isVirtual(Thread.currentThread()) ? onVirtual : onPlatform).incrementAndGet();
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(200);
                    } finally {
                        running.decrementAndGet();
                    }
                    return StepHandlerResult.success(Map.of("ok", true));
                })
                .setting("tasker.handlers.virtual-threads", "true")
                .setting("tasker.worker.max-concurrency", "200")
                .timeout(Duration.ofSeconds(60))
                .build()) {
            List<String> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tasks.add(env.start("vt", "sleepy", "1.0.0", Map.of("i", i)));
            }
            for (String task : tasks) {
                assertTrue(env.await(task, Duration.ofSeconds(60)).isComplete());
            }
        }
        assertEquals(200, onVirtual.get());
        assertEquals(0, onPlatform.get());
        assertTrue(mostAtOnce.get() >= 50, "sleeping handlers overlapped: at most " + mostAtOnce.get() + " at once");
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void aFactoryOfPlatformThreadsIsRefused() {
        WorkerStartupException e = assertThrows(
                WorkerStartupException.class,
                () -> VirtualThreads.perTask(Executors.defaultThreadFactory(), "the test factory"));
        assertTrue(e.getMessage().contains("virtual=\"true\""), e.getMessage());
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void beforeJava21TheSettingIsAStartupError() {
        WorkerStartupException e = assertThrows(
                WorkerStartupException.class,
                () -> TaskerTestEnvironment.builder()
                        .templateYaml("sleepy.yaml", SLEEPY)
                        .setting("tasker.handlers.virtual-threads", "true")
                        .build()
                        .close());
        assertTrue(e.getMessage().contains("Java 21"), e.getMessage());
    }
}
