package io.tasker.worker.internal.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The step dependencies of every loaded task template, to give each step of a task its {@code parents} when the
 * backend does not report them (tasker-core's step responses have no parents; the embedded engine's have). Step
 * instances map to template steps by name; a batch worker instance {@code <template>_<id>} takes its template's
 * dependencies, and a step depending on a batch worker template depends on all of its instances.
 */
public final class TemplateGraph {

    private static final Logger LOG = Logger.getLogger(TemplateGraph.class.getName());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Key {@code namespace/name/version} → step name → its template dependencies. */
    private final Map<String, Map<String, List<String>>> templates;
    /** Same key → the names of its {@code batch_worker} template steps. */
    private final Map<String, List<String>> batchWorkers;

    private TemplateGraph(Map<String, Map<String, List<String>>> templates, Map<String, List<String>> batchWorkers) {
        this.templates = templates;
        this.batchWorkers = batchWorkers;
    }

    /** Reads the templates; a file this cannot read is skipped (the backend reports template errors itself). */
    public static TemplateGraph of(List<TemplateSource> sources) {
        Map<String, Map<String, List<String>>> templates = new HashMap<>();
        Map<String, List<String>> workers = new HashMap<>();
        for (TemplateSource source : sources) {
            try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(source.yaml())) {
                for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                    add(doc, templates, workers);
                }
            } catch (IOException | RuntimeException e) {
                LOG.fine(() -> "Template " + source.source() + " not read for the step graph: " + e.getMessage());
            }
        }
        return new TemplateGraph(templates, workers);
    }

    private static void add(
            JsonNode doc, Map<String, Map<String, List<String>>> templates, Map<String, List<String>> workers) {
        if (doc == null || !doc.isObject() || !doc.path("steps").isArray()) {
            return;
        }
        String key = key(
                doc.path("namespace_name").asText(),
                doc.path("name").asText(),
                doc.path("version").asText());
        Map<String, List<String>> steps = new LinkedHashMap<>();
        List<String> batch = new ArrayList<>();
        for (JsonNode step : doc.path("steps")) {
            JsonNode deps = step.has("dependencies") ? step.path("dependencies") : step.path("depends_on");
            List<String> names = new ArrayList<>();
            deps.forEach(d -> names.add(d.asText()));
            steps.put(step.path("name").asText(), names);
            if ("batch_worker".equals(step.path("type").asText())) {
                batch.add(step.path("name").asText());
            }
        }
        templates.put(key, steps);
        workers.put(key, batch);
    }

    private static String key(String namespace, String name, String version) {
        return namespace + "/" + name + "/" + version;
    }

    /**
     * Adds {@code parents} (names of the task's steps this step depends on) to each step lacking them. Steps are
     * left as they are when the template is unknown.
     */
    public void addParents(String namespace, String name, String version, ArrayNode steps) {
        Map<String, List<String>> deps = templates.get(key(namespace, name, version));
        if (deps == null) {
            return;
        }
        List<String> workers = batchWorkers.getOrDefault(key(namespace, name, version), List.of());
        List<String> present = new ArrayList<>();
        steps.forEach(s -> present.add(s.path("name").asText()));
        for (JsonNode s : steps) {
            if (!(s instanceof ObjectNode step) || step.has("parents")) {
                continue;
            }
            List<String> own = deps.get(templateStepOf(step.path("name").asText(), workers));
            ArrayNode parents = step.putArray("parents");
            if (own == null) {
                continue;
            }
            for (String dep : own) {
                if (workers.contains(dep)) {
                    present.stream().filter(p -> p.startsWith(dep + "_")).forEach(parents::add);
                } else if (present.contains(dep)) {
                    parents.add(dep);
                }
            }
        }
    }

    /** {@code process_batch_003} → {@code process_batch} when that is a batch worker template; else the name. */
    private static String templateStepOf(String stepName, List<String> workers) {
        for (String w : workers) {
            if (stepName.startsWith(w + "_")) {
                return w;
            }
        }
        return stepName;
    }
}
