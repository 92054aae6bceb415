package io.tasker.worker.internal.runtime;

import io.tasker.worker.internal.config.ConfigKey;
import io.tasker.worker.internal.config.ConfigurationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads task templates: every {@code *.yaml}/{@code *.yml} file of the configured directory
 * ({@code tasker.template.path}, env {@code TASKER_TEMPLATE_PATH}), else the bundled examples listed in
 * {@value #INDEX} (a WAR's classpath directories cannot be listed, hence the index file).
 */
public final class TemplateLoader {

    public static final String BUNDLED_DIR = "tasker/templates/";
    public static final String INDEX = BUNDLED_DIR + "index.txt";

    private TemplateLoader() {}

    public static List<TemplateSource> load(String directory, ClassLoader classLoader) {
        return directory == null || directory.isBlank()
                ? bundled(classLoader)
                : fromDirectory(Path.of(directory.trim()));
    }

    public static List<TemplateSource> fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException(ConfigKey.TEMPLATE_PATH.key()
                    + " (TASKER_TEMPLATE_PATH) is not a directory: " + dir.toAbsolutePath());
        }
        List<TemplateSource> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> {
                        String n = p.getFileName().toString();
                        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
                    })
                    .sorted()
                    .toList()) {
                out.add(new TemplateSource(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read task templates from " + dir.toAbsolutePath() + ": " + e, e);
        }
        return out;
    }

    /** The templates named in the bundled index; none when the index is absent (the jar used as a library). */
    public static List<TemplateSource> bundled(ClassLoader classLoader) {
        List<TemplateSource> out = new ArrayList<>();
        try (InputStream index = classLoader.getResourceAsStream(INDEX)) {
            if (index == null) {
                return out;
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try (InputStream in = classLoader.getResourceAsStream(BUNDLED_DIR + name)) {
                    if (in == null) {
                        throw new ConfigurationException(
                                "Template " + BUNDLED_DIR + name + " listed in " + INDEX + " is missing");
                    }
                    out.add(new TemplateSource(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read bundled templates: " + e, e);
        }
        return out;
    }
}
