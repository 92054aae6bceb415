package io.tasker.worker.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryLocatorTest {

    private static final ClassLoader EMPTY = new URLClassLoader(new URL[0], null);

    @Test
    void explicitPathThatDoesNotExistNamesPathAndPlatform() {
        LibraryLocator locator = new LibraryLocator("/nope/libtasker_engine.so", k -> null, EMPTY);
        NativeLibraryException e = assertThrows(NativeLibraryException.class, locator::locate);
        assertTrue(e.getMessage().contains("/nope/libtasker_engine.so"), e.getMessage());
        assertTrue(e.getMessage().contains("tasker.library.path"), e.getMessage());
        assertTrue(e.getMessage().contains(com.sun.jna.Platform.RESOURCE_PREFIX), e.getMessage());
        assertTrue(e.getMessage().contains("os.arch=" + System.getProperty("os.arch")), e.getMessage());
    }

    @Test
    void envVariableSetButMissingDoesNotFallBack() {
        // Even with a bundled engine available, a wrong env path is an error, not a silent fallback.
        LibraryLocator locator = new LibraryLocator(
                null,
                Map.of(LibraryLocator.ENV_VAR, "/missing/lib.so")::get,
                LibraryLocatorTest.class.getClassLoader());
        NativeLibraryException e = assertThrows(NativeLibraryException.class, locator::locate);
        assertTrue(e.getMessage().contains("/missing/lib.so"), e.getMessage());
        assertTrue(e.getMessage().contains(LibraryLocator.ENV_VAR), e.getMessage());
    }

    @Test
    void noBundledEngineNamesTheResource() {
        LibraryLocator locator = new LibraryLocator(null, k -> null, EMPTY);
        NativeLibraryException e = assertThrows(NativeLibraryException.class, locator::locate);
        assertTrue(e.getMessage().contains(LibraryLocator.bundledResource()), e.getMessage());
    }

    @Test
    void explicitPathWinsOverEnv(@TempDir Path dir) throws Exception {
        Path lib = Files.createFile(dir.resolve("libx.so"));
        LibraryLocator locator =
                new LibraryLocator(lib.toString(), Map.of(LibraryLocator.ENV_VAR, "/other")::get, EMPTY);
        LibraryLocator.Location loc = locator.locate();
        assertEquals(lib.toAbsolutePath(), loc.file());
        assertEquals("tasker.library.path", loc.origin());
    }

    @Test
    void brokenLibraryFailsToLoadWithPathAndPlatform(@TempDir Path dir) throws Exception {
        Path lib = Files.writeString(dir.resolve("libbroken.so"), "not an ELF file");
        LibraryLocator locator = new LibraryLocator(null, Map.of(LibraryLocator.ENV_VAR, lib.toString())::get, EMPTY);
        NativeLibraryException e = assertThrows(NativeLibraryException.class, locator::load);
        assertTrue(e.getMessage().contains(lib.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(LibraryLocator.platformDescription()), e.getMessage());
    }

    @Test
    void bundledEngineIsFoundOnTheClasspath() {
        LibraryLocator.Location loc =
                new LibraryLocator(null, k -> null, LibraryLocatorTest.class.getClassLoader()).locate();
        assertTrue(Files.isRegularFile(loc.file()));
        assertTrue(loc.origin().startsWith("classpath:"));
    }

    @Test
    void theTaskerCoreBackendLooksForTheBundledBridgeAndSaysHowToGetIt() {
        LibraryLocator locator = new LibraryLocator(null, k -> null, EMPTY, LibraryLocator.BRIDGE_LIBRARY_NAME);
        NativeLibraryException e = assertThrows(NativeLibraryException.class, locator::locate);
        assertTrue(
                e.getMessage().contains("libtasker_bridge.so") && e.getMessage().contains("-Ptasker-core"),
                e.getMessage());
    }
}
