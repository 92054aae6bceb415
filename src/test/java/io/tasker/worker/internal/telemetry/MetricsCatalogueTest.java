package io.tasker.worker.internal.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The metrics catalogue in {@code docs/operations.md} is the code's catalogue ({@link WorkerMetric}), row for row.
 * {@code TelemetryCatalogueIT} then checks the catalogue against what the server really exports.
 */
public class MetricsCatalogueTest {

    static final String BEGIN = "<!-- metrics-catalogue:begin -->";
    static final String END = "<!-- metrics-catalogue:end -->";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final Pattern UNIT = Pattern.compile("s|1|\\{[a-z]+}");

    /** The table rows between the markers, as written in the document. */
    public static List<String> documentedRows(Path doc) throws Exception {
        String text = Files.readString(doc);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        assertTrue(b >= 0 && e > b, doc + " must contain the catalogue between " + BEGIN + " and " + END);
        return text.substring(b + BEGIN.length(), e)
                .lines()
                .map(String::strip)
                .filter(l -> l.startsWith("| `"))
                .collect(Collectors.toList());
    }

    public static Path doc() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolve("docs/operations.md");
    }

    @Test
    void documentMatchesTheCode() throws Exception {
        List<String> expected = Arrays.stream(WorkerMetric.values())
                .map(WorkerMetric::markdownRow)
                .toList();
        List<String> documented = documentedRows(doc());
        assertEquals(
                String.join("\n", expected),
                String.join("\n", documented),
                "docs/operations.md's metrics catalogue differs from WorkerMetric; the rows the code expects are above");
    }

    @Test
    void namesUnitsAndAttributesFollowTheConventions() {
        Set<String> names = new HashSet<>();
        for (WorkerMetric m : WorkerMetric.values()) {
            assertTrue(names.add(m.metricName()), "duplicate " + m.metricName());
            assertTrue(m.metricName().startsWith("tasker.worker."), m.metricName());
            assertTrue(NAME.matcher(m.metricName()).matches(), "dotted lower case: " + m.metricName());
            assertTrue(UNIT.matcher(m.unit()).matches(), "UCUM unit or {annotation}: " + m.unit());
            if (m.instrument() == WorkerMetric.Instrument.HISTOGRAM) {
                assertEquals("s", m.unit(), "durations are in seconds: " + m.metricName());
            }
            for (String a : m.attributes()) {
                assertTrue(
                        !a.contains("uuid") && !a.endsWith(".id") && !a.endsWith("_id"),
                        "no identifiers on metrics: " + a);
            }
        }
    }
}
