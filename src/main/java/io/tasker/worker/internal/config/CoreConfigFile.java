package io.tasker.worker.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The tasker-core foundation's own TOML for the {@code tasker-core} backend. It is a different file from the
 * worker's {@code TASKER_CONFIG_PATH} TOML (the foundation needs {@code [common]}, {@code [worker]}, … which the
 * worker's config source rightly rejects), so it travels to the bridge in the bootstrap JSON, never through
 * {@code TASKER_CONFIG_PATH}. Unset, the bundled {@value #BUNDLED} is used: loopback orchestration, the
 * foundation's own web and gRPC servers off.
 */
public final class CoreConfigFile {

    public static final String BUNDLED = "tasker/tasker-core/worker.toml";

    private CoreConfigFile() {}

    /** The absolute path of the foundation TOML to hand to the bridge. */
    public static String resolve(WorkerSettings settings) {
        String explicit = settings.coreConfigPath();
        if (explicit != null && !explicit.isBlank()) {
            Path file = Path.of(explicit.trim()).toAbsolutePath();
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ConfigurationException(ConfigKey.CORE_CONFIG_PATH.key()
                        + " (TASKER_CORE_CONFIG_PATH) is not a readable file: " + file);
            }
            return file.toString();
        }
        return extractBundled().toString();
    }

    /** Copies the bundled file out of the WAR (the bridge reads a path) into a private temporary directory. */
    private static Path extractBundled() {
        ClassLoader cl = CoreConfigFile.class.getClassLoader();
        try (InputStream in = cl == null ? null : cl.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new ConfigurationException("The tasker-core backend needs " + ConfigKey.CORE_CONFIG_PATH.key()
                        + " (TASKER_CORE_CONFIG_PATH): the classpath has no bundled " + BUNDLED);
            }
            Path dir = Files.createTempDirectory(
                    "tasker-core-config",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("worker.toml");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new ConfigurationException("Cannot extract the bundled " + BUNDLED + ": " + e, e);
        }
    }
}
