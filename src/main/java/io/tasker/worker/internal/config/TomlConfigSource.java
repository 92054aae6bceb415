package io.tasker.worker.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * An MP Config source backed by a TOML file, with ordinal {@value #ORDINAL}: above
 * {@code microprofile-config.properties} (100), below environment variables (300) and system properties (400).
 *
 * <p>The file is {@code TASKER_CONFIG_PATH} (environment variable or system property), else the bundled
 * {@code tasker/tasker.toml}. Mapping: table path + key, prefixed {@code tasker.}, underscores to hyphens
 * ({@code [engine.backoff] base_ms} is {@code tasker.engine.backoff.base-ms}). String values expand {@code ${VAR}}
 * and {@code ${VAR:-default}} from the environment (then system properties). Tables under
 * {@code [environments.<name>]} override the base when {@code TASKER_ENV} equals {@code <name>}.
 *
 * <p>An unknown key, a wrong type or an out-of-range value makes the source empty and records a {@link #problem()}
 * naming the key and the file; {@link WorkerSettings#fromConfig} turns it into a startup error. The constructor
 * itself never throws, because a failing config source would break every config lookup in the application,
 * not only ours.
 */
public final class TomlConfigSource implements ConfigSource {

    public static final int ORDINAL = 200;
    public static final String PATH_VARIABLE = "TASKER_CONFIG_PATH";
    public static final String ENV_VARIABLE = "TASKER_ENV";
    public static final String BUNDLED_RESOURCE = "tasker/tasker.toml";

    private static final Logger LOG = Logger.getLogger(TomlConfigSource.class.getName());
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}");

    private final String name;
    private final Map<String, String> properties;
    private final String problem;

    /** The service-loader constructor: the file and environment come from the process. */
    public TomlConfigSource() {
        this(TomlConfigSource::processVariable);
    }

    TomlConfigSource(Function<String, String> variables) {
        String explicit = variables.apply(PATH_VARIABLE);
        String env = variables.apply(ENV_VARIABLE);
        String sourceName;
        String text;
        String failure = null;
        if (explicit != null && !explicit.isBlank()) {
            Path file = Path.of(explicit.trim()).toAbsolutePath();
            sourceName = file.toString();
            String content = null;
            try {
                content = Files.readString(file);
            } catch (IOException e) {
                failure = "Cannot read Tasker config file " + file + " (from " + PATH_VARIABLE + "): " + e;
            }
            text = content;
        } else {
            sourceName = "classpath:" + BUNDLED_RESOURCE;
            text = readBundled();
        }
        Parsed parsed = failure == null
                ? parse(text == null ? "" : text, sourceName, env, variables)
                : new Parsed(Map.of(), failure);
        this.name = "toml:" + sourceName;
        this.properties = parsed.properties;
        this.problem = parsed.problem;
        if (problem != null) {
            LOG.severe(problem);
        }
    }

    private TomlConfigSource(String name, Parsed parsed) {
        this.name = "toml:" + name;
        this.properties = parsed.properties;
        this.problem = parsed.problem;
    }

    /** A source over TOML text, for tests and tools. */
    public static TomlConfigSource of(
            String tomlText, String fileName, String environment, Function<String, String> variables) {
        return new TomlConfigSource(fileName, parse(tomlText, fileName, environment, variables));
    }

    /** The reason this source is empty, naming the key and file; {@code null} when the file is valid. */
    public String problem() {
        return problem;
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    // ---- parsing ----

    private record Parsed(Map<String, String> properties, String problem) {}

    private static Parsed parse(String text, String file, String environment, Function<String, String> variables) {
        try {
            TomlParseResult toml = Toml.parse(text);
            if (toml.hasErrors()) {
                throw new ConfigurationException(
                        "Invalid TOML in " + file + ": " + toml.errors().get(0).toString());
            }
            Map<String, String> base = new LinkedHashMap<>();
            Map<String, String> selected = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : toml.entrySet()) {
                if ("environments".equals(e.getKey())) {
                    if (!(e.getValue() instanceof TomlTable envs)) {
                        throw new ConfigurationException("'environments' in " + file + " must be a table");
                    }
                    for (Map.Entry<String, Object> env : envs.entrySet()) {
                        if (!(env.getValue() instanceof TomlTable envTable)) {
                            throw new ConfigurationException(
                                    "environments." + env.getKey() + " in " + file + " must be a table");
                        }
                        // Every environment is validated, only the selected one is applied.
                        Map<String, String> target =
                                env.getKey().equals(environment) ? selected : new LinkedHashMap<>();
                        flatten(envTable, "environments." + env.getKey() + ".", "", target, file, variables);
                    }
                } else {
                    flatten(Map.of(e.getKey(), e.getValue()), "", "", base, file, variables);
                }
            }
            base.putAll(selected);
            return new Parsed(Collections.unmodifiableMap(base), null);
        } catch (ConfigurationException e) {
            return new Parsed(Map.of(), e.getMessage());
        }
    }

    private static void flatten(
            TomlTable table,
            String tomlPrefix,
            String keyPrefix,
            Map<String, String> out,
            String file,
            Function<String, String> variables) {
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : table.entrySet()) {
            entries.put(e.getKey(), e.getValue());
        }
        flatten(entries, tomlPrefix, keyPrefix, out, file, variables);
    }

    private static void flatten(
            Map<String, Object> entries,
            String tomlPrefix,
            String keyPrefix,
            Map<String, String> out,
            String file,
            Function<String, String> variables) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            String tomlKey = tomlPrefix + e.getKey();
            String mpKey = keyPrefix + e.getKey().replace('_', '-');
            if ("worker.handler-concurrency.".equals(keyPrefix)) {
                // [worker.handler_concurrency] <callable> = N: the key is a callable name and stays verbatim.
                out.put(
                        ConfigKey.HANDLER_CONCURRENCY_PREFIX + e.getKey(),
                        handlerLimit(e.getKey(), tomlKey, e.getValue(), file));
                continue;
            }
            if (e.getValue() instanceof TomlTable nested) {
                flatten(nested, tomlKey + ".", mpKey + ".", out, file, variables);
                continue;
            }
            String fullKey = "tasker." + mpKey;
            ConfigKey key = ConfigKey.byKey(fullKey)
                    .orElseThrow(() ->
                            new ConfigurationException("Unknown key " + tomlKey + " (" + fullKey + ") in " + file));
            out.put(fullKey, value(key, tomlKey, e.getValue(), file, variables));
        }
    }

    private static String handlerLimit(String callable, String tomlKey, Object raw, String file) {
        String fullKey = ConfigKey.HANDLER_CONCURRENCY_PREFIX + callable;
        if (!(raw instanceof Long l)) {
            throw new ConfigurationException("Wrong type for " + tomlKey + " (" + fullKey + ") in " + file
                    + ": expected int, got " + describe(raw));
        }
        String problem = ConfigKey.problemWithDynamic(Long.toString(l));
        if (problem != null) {
            throw new ConfigurationException(
                    "Invalid value for " + tomlKey + " (" + fullKey + ") in " + file + ": " + problem);
        }
        return Long.toString(l);
    }

    private static String value(
            ConfigKey key, String tomlKey, Object raw, String file, Function<String, String> variables) {
        String text;
        if (raw instanceof String s) {
            text = interpolate(s, tomlKey, file, variables);
        } else if (raw instanceof Long l
                && key.type() != ConfigKey.Type.STRING
                && key.type() != ConfigKey.Type.BOOLEAN
                && key.type() != ConfigKey.Type.BACKEND) {
            text = Long.toString(l);
        } else if (raw instanceof Double d
                && (key.type() == ConfigKey.Type.DOUBLE || key.type() == ConfigKey.Type.FRACTION)) {
            text = Double.toString(d);
        } else if (raw instanceof Boolean b && key.type() == ConfigKey.Type.BOOLEAN) {
            text = Boolean.toString(b);
        } else {
            throw new ConfigurationException("Wrong type for " + tomlKey + " (" + key.key() + ") in " + file
                    + ": expected " + key.type().name().toLowerCase() + ", got " + describe(raw));
        }
        String problem = key.problemWith(text);
        if (problem != null) {
            throw new ConfigurationException(
                    "Invalid value for " + tomlKey + " (" + key.key() + ") in " + file + ": " + problem);
        }
        return text;
    }

    private static String interpolate(String s, String tomlKey, String file, Function<String, String> variables) {
        Matcher m = VARIABLE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.apply(m.group(1));
            if (value == null || (value.isEmpty() && m.group(2) != null)) {
                if (m.group(2) == null) {
                    throw new ConfigurationException("Undefined variable ${" + m.group(1) + "} in " + tomlKey + " in "
                            + file + " (use ${" + m.group(1) + ":-default})");
                }
                value = m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String describe(Object raw) {
        if (raw == null) {
            return "nothing";
        }
        String type = raw instanceof String
                ? "string"
                : raw instanceof Long
                        ? "integer"
                        : raw instanceof Double
                                ? "float"
                                : raw instanceof Boolean
                                        ? "boolean"
                                        : raw.getClass()
                                                .getSimpleName()
                                                .replace("Toml", "")
                                                .toLowerCase();
        return type + " " + raw;
    }

    private static String readBundled() {
        ClassLoader cl = TomlConfigSource.class.getClassLoader();
        try (InputStream in = cl == null ? null : cl.getResourceAsStream(BUNDLED_RESOURCE)) {
            return in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot read " + BUNDLED_RESOURCE, e);
            return "";
        }
    }

    private static String processVariable(String name) {
        String v = System.getenv(name);
        return v != null ? v : System.getProperty(name);
    }
}
