package io.tasker.worker.internal.ffi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds and loads the native library. Order: the explicit MP Config path ({@code tasker.library.path}), then the
 * environment variable {@value #ENV_VAR}, then the library bundled on the classpath for the backend:
 * {@code <Platform.RESOURCE_PREFIX>/libtasker_engine.so} (embedded engine) or {@code libtasker_bridge.so} (the bridge
 * to tasker-core, bundled by {@code -Ptasker-core} builds). An explicit path or a set environment variable that
 * points at a missing file is an error: silently falling back to another engine would hide a deployment mistake.
 */
public final class LibraryLocator {

    public static final String ENV_VAR = "TASKER_FFI_LIBRARY_PATH";
    public static final String CONFIG_KEY = "tasker.library.path";
    public static final String LIBRARY_NAME = "tasker_engine";
    /** The bridge to a real tasker-core deployment. */
    public static final String BRIDGE_LIBRARY_NAME = "tasker_bridge";

    /** Where the library was found and which rule found it. */
    public record Location(Path file, String origin) {}

    private final String explicitPath;
    private final Function<String, String> environment;
    private final ClassLoader classLoader;
    private final String libraryName;

    public LibraryLocator(String explicitPath, Function<String, String> environment, ClassLoader classLoader) {
        this(explicitPath, environment, classLoader, LIBRARY_NAME);
    }

    public LibraryLocator(
            String explicitPath, Function<String, String> environment, ClassLoader classLoader, String libraryName) {
        this.explicitPath = explicitPath;
        this.environment = environment;
        this.classLoader = classLoader;
        this.libraryName = libraryName;
    }

    /** Explicit path (may be null), the process environment, and this class's class loader; the embedded engine. */
    public static LibraryLocator standard(String explicitPath) {
        return standard(explicitPath, false);
    }

    /** As {@link #standard(String)}, bundled library chosen by backend: the bridge when {@code taskerCore}. */
    public static LibraryLocator standard(String explicitPath, boolean taskerCore) {
        return new LibraryLocator(
                explicitPath,
                System::getenv,
                LibraryLocator.class.getClassLoader(),
                taskerCore ? BRIDGE_LIBRARY_NAME : LIBRARY_NAME);
    }

    /** The bundled resource name for this platform, e.g. {@code linux-x86-64/libtasker_engine.so}. */
    public static String bundledResource() {
        return bundledResource(LIBRARY_NAME);
    }

    static String bundledResource(String libraryName) {
        return Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName(libraryName);
    }

    public static String platformDescription() {
        return Platform.RESOURCE_PREFIX + " (os.name=" + System.getProperty("os.name") + ", os.arch="
                + System.getProperty("os.arch") + ")";
    }

    public Location locate() {
        if (notBlank(explicitPath)) {
            return existing(Path.of(explicitPath.trim()), CONFIG_KEY);
        }
        String fromEnv = environment.apply(ENV_VAR);
        if (notBlank(fromEnv)) {
            return existing(Path.of(fromEnv.trim()), ENV_VAR);
        }
        String resource = bundledResource(libraryName);
        URL url = classLoader == null ? null : classLoader.getResource(resource);
        if (url == null) {
            String hint = BRIDGE_LIBRARY_NAME.equals(libraryName)
                    ? " (the tasker-core backend needs the bridge: build with -Ptasker-core, or point " + ENV_VAR
                            + " at libtasker_bridge.so)"
                    : "";
            throw new NativeLibraryException("No Tasker engine library: " + CONFIG_KEY + " and " + ENV_VAR
                    + " are unset and the classpath has no bundled library at " + resource + " for platform "
                    + platformDescription() + hint);
        }
        try {
            // A file: URL (exploded or loose deployment) is used in place; a jar entry is copied to a temp file.
            File file = Native.extractFromResourcePath("/" + resource, classLoader);
            return new Location(file.toPath().toAbsolutePath(), "classpath:" + resource);
        } catch (IOException | RuntimeException e) {
            throw new NativeLibraryException(
                    "Cannot extract the bundled engine " + url + " for platform " + platformDescription() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Locates and loads the library. */
    public TaskerFfi load() {
        Location location = locate();
        try {
            TaskerNative lib = Native.load(
                    location.file().toString(), TaskerNative.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
            return new TaskerFfi(lib, location.file().toString(), location.origin());
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new NativeLibraryException(
                    "Cannot load the Tasker engine library " + location.file() + " (from " + location.origin()
                            + ") on platform " + platformDescription() + ": " + e.getMessage(),
                    e);
        }
    }

    private static Location existing(Path path, String origin) {
        if (!Files.isRegularFile(path)) {
            throw new NativeLibraryException("Tasker engine library not found at " + path.toAbsolutePath() + " (set by "
                    + origin + ") for platform " + platformDescription());
        }
        return new Location(path.toAbsolutePath(), origin);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
