package io.tasker.worker.api.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tasker.worker.internal.logging.LibertyLogContext;
import io.tasker.worker.internal.logging.StepLogContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskerLogTest {

    record Line(LogLevel level, String message, Map<String, String> fields) {}

    private final List<Line> sinkLines = new CopyOnWriteArrayList<>();
    private final LogSink sink = (level, message, fields) -> sinkLines.add(new Line(level, message, fields));
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Logger logger;
    private Level previousLevel;

    @BeforeEach
    void install() {
        TaskerLog.addSink(sink);
        logger = Logger.getLogger(TaskerLog.LOGGER_NAME);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void remove() {
        TaskerLog.removeSink(sink);
        logger.removeHandler(capture);
        logger.setLevel(previousLevel);
    }

    @Test
    void linesCarryTheStepIdentifiersWhileAHandlerRuns() {
        try (StepLogContext ignored = StepLogContext.open("t-1", "s-1", "charge_card", "c-1")) {
            TaskerLog.logInfo("charging", Map.of("amount", 12.5));
        }
        Line line = sinkLines.get(0);
        assertEquals(LogLevel.INFO, line.level());
        assertEquals("charging", line.message());
        assertEquals(
                Map.of(
                        "task_uuid",
                        "t-1",
                        "step_uuid",
                        "s-1",
                        "handler_name",
                        "charge_card",
                        "correlation_id",
                        "c-1",
                        "amount",
                        "12.5"),
                line.fields());
        assertEquals(
                List.of("task_uuid", "step_uuid", "handler_name", "correlation_id", "amount"),
                List.copyOf(line.fields().keySet()));

        LogRecord record = records.get(0);
        assertEquals(Level.INFO, record.getLevel());
        assertEquals(TaskerLog.LOGGER_NAME, record.getLoggerName());
        // Outside Liberty the fields stay visible in the text; the map is also the record's parameter.
        assertFalse(LibertyLogContext.available());
        assertEquals(
                "charging {\"task_uuid\":\"t-1\",\"step_uuid\":\"s-1\",\"handler_name\":\"charge_card\","
                        + "\"correlation_id\":\"c-1\",\"amount\":\"12.5\"}",
                record.getMessage());
        assertEquals(line.fields(), record.getParameters()[0]);
    }

    @Test
    void everyLevelMapsToJul() {
        TaskerLog.logError("e", null);
        TaskerLog.logWarn("w");
        TaskerLog.logInfo("i");
        TaskerLog.logDebug("d", Map.of());
        TaskerLog.logTrace("t");
        assertEquals(
                List.of(Level.SEVERE, Level.WARNING, Level.INFO, Level.FINE, Level.FINER),
                records.stream().map(LogRecord::getLevel).toList());
        assertEquals(
                List.of(LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO, LogLevel.DEBUG, LogLevel.TRACE),
                sinkLines.stream().map(Line::level).toList());
        assertEquals("e", records.get(0).getMessage()); // no fields, no suffix
        assertEquals(Map.of(), sinkLines.get(0).fields());
    }

    @Test
    void createLoggerMergesDefaultFields() {
        StepLogger log = TaskerLog.createLogger(Map.of("component", "payments", "retries", 3));
        log.warn("gateway slow", Map.of("latency_ms", 950, "component", "override"));
        StepLogger child = log.with(Map.of("region", "eu"));
        child.error("failed");
        assertEquals(
                Map.of("component", "override", "retries", "3", "latency_ms", "950"),
                sinkLines.get(0).fields());
        assertEquals(
                Map.of("component", "payments", "retries", "3", "region", "eu"),
                sinkLines.get(1).fields());
        assertEquals(LogLevel.ERROR, sinkLines.get(1).level());
    }

    @Test
    void aBrokenSinkDoesNotBreakLogging() {
        LogSink broken = (l, m, f) -> {
            throw new IllegalStateException("sink down");
        };
        TaskerLog.addSink(broken);
        try {
            TaskerLog.logInfo("still fine", Map.of("k", "v"));
        } finally {
            TaskerLog.removeSink(broken);
        }
        assertEquals("still fine", sinkLines.get(0).message());
    }

    @Test
    void contextsNestAndRestore() {
        try (StepLogContext outer = StepLogContext.open("t-1", "s-1", "outer", null)) {
            try (StepLogContext inner = StepLogContext.open("t-2", "s-2", "inner", "c-2")) {
                assertSame(inner, StepLogContext.current());
                assertEquals("inner", StepLogContext.currentFields().get("handler_name"));
            }
            assertSame(outer, StepLogContext.current());
            assertEquals(Map.of("task_uuid", "t-1", "step_uuid", "s-1", "handler_name", "outer"), outer.fields());
            TaskerLog.logDebug("between", null);
        }
        assertNull(StepLogContext.current());
        assertEquals(Map.of(), StepLogContext.currentFields());
        assertEquals("outer", sinkLines.get(0).fields().get("handler_name"));
    }

    @Test
    void disabledJulLevelStillReachesSinks() {
        logger.setLevel(Level.INFO);
        TaskerLog.logTrace("quiet", Map.of("x", 1));
        assertEquals(0, records.size());
        assertEquals("quiet", sinkLines.get(0).message());
    }
}
