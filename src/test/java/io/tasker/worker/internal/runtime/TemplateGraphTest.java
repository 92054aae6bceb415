package io.tasker.worker.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.tasker.worker.internal.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step parents drawn from the bundled templates, as the dashboard needs them on tasker-core. */
class TemplateGraphTest {

    private static final TemplateGraph GRAPH =
            TemplateGraph.of(TemplateLoader.bundled(TemplateGraphTest.class.getClassLoader()));

    @Test
    void diamondStepsGetTheirTemplateDependencies() {
        ArrayNode steps = steps("diamond_start", "branch_b", "branch_c", "diamond_end");
        GRAPH.addParents("examples", "diamond_workflow", "1.0.0", steps);
        assertEquals(List.of(), parents(steps, "diamond_start"));
        assertEquals(List.of("diamond_start"), parents(steps, "branch_b"));
        assertEquals(List.of("branch_b", "branch_c"), parents(steps, "diamond_end"));
    }

    @Test
    void batchWorkerInstancesTakeTheirTemplateAndTheConvergenceStepWaitsForAllOfThem() {
        ArrayNode steps = steps(
                "analyze_dataset", "create_batches", "process_batch_001", "process_batch_002", "aggregate_results");
        GRAPH.addParents("batch_examples", "number_batch_processing", "1.0.0", steps);
        assertEquals(List.of("create_batches"), parents(steps, "process_batch_002"));
        assertEquals(List.of("process_batch_001", "process_batch_002"), parents(steps, "aggregate_results"));
    }

    @Test
    void stepsOfAnUnknownTemplateOrWithParentsAreLeftAlone() {
        ArrayNode steps = steps("a");
        GRAPH.addParents("examples", "no_such_template", "1.0.0", steps);
        assertEquals(false, steps.get(0).has("parents"));
        ArrayNode own = (ArrayNode) Json.parse("[{\"name\":\"branch_b\",\"parents\":[\"x\"]}]");
        GRAPH.addParents("examples", "diamond_workflow", "1.0.0", own);
        assertEquals(List.of("x"), parents(own, "branch_b"));
    }

    private static ArrayNode steps(String... names) {
        StringBuilder b = new StringBuilder("[");
        for (String n : names) {
            b.append(b.length() > 1 ? "," : "").append("{\"name\":\"").append(n).append("\"}");
        }
        return (ArrayNode) Json.parse(b.append("]").toString());
    }

    private static List<String> parents(ArrayNode steps, String name) {
        for (JsonNode s : steps) {
            if (name.equals(s.path("name").asText())) {
                List<String> out = new ArrayList<>();
                s.path("parents").forEach(p -> out.add(p.asText()));
                return out;
            }
        }
        throw new AssertionError("no step " + name);
    }
}
