package io.tasker.worker.internal.logging;

import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Liberty's {@code com.ibm.websphere.logging.hpel.LogRecordContext}, reached by reflection so the worker neither
 * depends on it nor fails elsewhere. On Liberty, a key added with {@link #add} is attached to every log record the
 * current thread writes until {@link #remove}; JSON logging shows it as the field {@code ext_<key>}.
 *
 * <p>Outside Liberty (plain JVM, tests, other servers) {@link #available()} is false and both calls do nothing.
 */
public final class LibertyLogContext {

    private static final Logger LOG = Logger.getLogger(LibertyLogContext.class.getName());
    private static final String CLASS = "com.ibm.websphere.logging.hpel.LogRecordContext";

    private static final Method ADD;
    private static final Method REMOVE;

    static {
        Method add = null;
        Method remove = null;
        try {
            Class<?> c = Class.forName(CLASS, true, LibertyLogContext.class.getClassLoader());
            add = c.getMethod("addExtension", String.class, String.class);
            remove = c.getMethod("removeExtension", String.class);
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            // not on Liberty: fields go into the message text instead
        }
        ADD = add;
        REMOVE = remove;
    }

    private LibertyLogContext() {}

    /** True on Liberty. */
    public static boolean available() {
        return ADD != null;
    }

    /** Attaches {@code key=value} to the current thread's log records. */
    public static void add(String key, String value) {
        if (ADD == null || key == null || value == null) {
            return;
        }
        try {
            ADD.invoke(null, key, value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "LogRecordContext.addExtension failed", e);
        }
    }

    /** Detaches {@code key} from the current thread's log records. */
    public static void remove(String key) {
        if (REMOVE == null || key == null) {
            return;
        }
        try {
            REMOVE.invoke(null, key);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "LogRecordContext.removeExtension failed", e);
        }
    }

    /**
     * Whether Liberty writes JSON logs, where extensions are visible fields (console or messages.log format
     * {@code json}); in the other formats they are invisible, so fields must stay in the message text.
     */
    public static boolean jsonLogging() {
        if (!available()) {
            return false;
        }
        return isJson(System.getenv("WLP_LOGGING_CONSOLE_FORMAT"))
                || isJson(System.getProperty("com.ibm.ws.logging.console.format"))
                || isJson(System.getenv("WLP_LOGGING_MESSAGE_FORMAT"))
                || isJson(System.getProperty("com.ibm.ws.logging.message.format"));
    }

    private static boolean isJson(String format) {
        return format != null && format.trim().equalsIgnoreCase("json");
    }
}
