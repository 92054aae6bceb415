package io.tasker.worker.security;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Checks the operator account when the application starts. Outside development and test, the published default
 * password stops the application (it then serves nothing and its readiness stays down), with an error that names
 * TASKER_ADMIN_PASSWORD; in development it only warns. Failing is deliberate: a rollout that forgot its Secret
 * should stall visibly, not go live with a password anyone can look up (docs/operations.md, Security).
 *
 * <p>The values are read through MicroProfile Config, which on Liberty sees the server's {@code <variable>}s as
 * well as the environment, so this reads what ops.xml's basic registry gets.
 */
@WebListener
public class OperatorAccountGuard implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(OperatorAccountGuard.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Config config = ConfigProvider.getConfig(event.getServletContext().getClassLoader());
        DefaultCredentialPolicy.Verdict verdict = DefaultCredentialPolicy.check(
                config.getOptionalValue("TASKER_ENV", String.class).orElse(null),
                config.getOptionalValue("TASKER_ADMIN_USER", String.class).orElse(null),
                config.getOptionalValue("TASKER_ADMIN_PASSWORD", String.class).orElse(null));
        switch (verdict.outcome()) {
            case WARN -> LOG.warning(verdict.message());
            case REFUSE -> {
                LOG.log(Level.SEVERE, verdict.message());
                throw new IllegalStateException(verdict.message());
            }
            case ACCEPT -> {}
        }
    }
}
