package io.tasker.worker.security;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.security.auth.message.callback.PasswordValidationCallback;
import jakarta.security.enterprise.AuthenticationException;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.logging.Logger;
import javax.security.auth.callback.Callback;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * HTTP basic authentication, checked against the server's user registry (ops.xml's basic registry, or LDAP)
 * exactly as Liberty's own BASIC login does it (a {@link PasswordValidationCallback}), with one addition: a
 * client address that sends {@code TASKER_SIGNIN_MAX_FAILURES} wrong passwords in a row (default 5) gets 429 for
 * {@code TASKER_SIGNIN_LOCKOUT_SECONDS} (default 60). Liberty has no such limit for its registries, and its login
 * runs before any servlet filter, so only an authentication mechanism sees the failures.
 *
 * <p>Every failure is logged once, with the client address and the user name, never the password.
 */
@ApplicationScoped
public class ThrottledBasicAuthentication implements HttpAuthenticationMechanism {

    static final String REALM = "tasker";
    static final String MAX_FAILURES = "TASKER_SIGNIN_MAX_FAILURES";
    static final String LOCKOUT_SECONDS = "TASKER_SIGNIN_LOCKOUT_SECONDS";

    private static final Logger LOG = Logger.getLogger(ThrottledBasicAuthentication.class.getName());

    private SignInThrottle throttle;

    /** Created at startup, so a bad setting stops the application instead of the first sign-in. */
    void startEagerly(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        throttle.lockout();
    }

    @PostConstruct
    void configure() {
        Config config = ConfigProvider.getConfig();
        throttle = new SignInThrottle(
                positive(config, MAX_FAILURES, 5),
                Duration.ofSeconds(positive(config, LOCKOUT_SECONDS, 60)),
                Clock.systemUTC());
    }

    private static int positive(Config config, String name, int fallback) {
        String raw = config.getOptionalValue(name, String.class).orElse(null);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least 1, got '" + raw + "'");
    }

    @Override
    public AuthenticationStatus validateRequest(
            HttpServletRequest request, HttpServletResponse response, HttpMessageContext context)
            throws AuthenticationException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return context.isProtected() ? challenge(response) : context.doNothing();
        }
        String client = request.getRemoteAddr();
        Duration locked = throttle.lockedFor(client);
        if (!locked.isZero()) {
            long seconds = Math.max(1, locked.toSeconds() + (locked.toMillisPart() > 0 ? 1 : 0));
            if (throttle.firstRefusal(client)) {
                LOG.warning("Sign-in refused for client " + client + ": too many failed sign-ins, locked for " + seconds
                        + " s more");
            }
            SecurityHeaders.apply(response);
            response.setHeader("Retry-After", Long.toString(seconds));
            response.setStatus(429);
            return AuthenticationStatus.SEND_FAILURE;
        }

        String user = null;
        char[] password = null;
        try {
            String decoded =
                    new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                user = decoded.substring(0, colon);
                password = decoded.substring(colon + 1).toCharArray();
            }
        } catch (IllegalArgumentException e) {
            // not base64: a failed sign-in like any other
        }
        if (user != null && valid(context, user, password)) {
            throttle.succeeded(client);
            return AuthenticationStatus.SUCCESS;
        }
        SignInThrottle.Failure f = throttle.failed(client);
        LOG.warning("Sign-in failed for user '" + printable(user) + "' from " + client + " (" + f.failures() + " of "
                + f.maxFailures()
                + (f.lockedNow() ? "; locked for " + throttle.lockout().toSeconds() + " s)" : ")"));
        return challenge(response);
    }

    private static boolean valid(HttpMessageContext context, String user, char[] password)
            throws AuthenticationException {
        PasswordValidationCallback check = new PasswordValidationCallback(context.getClientSubject(), user, password);
        try {
            context.getHandler().handle(new Callback[] {check});
        } catch (Exception e) {
            throw new AuthenticationException("the user registry could not check the password: " + e);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        return check.getResult();
    }

    private static AuthenticationStatus challenge(HttpServletResponse response) {
        SecurityHeaders.apply(response);
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        return AuthenticationStatus.SEND_CONTINUE;
    }

    /** A user name as sent, made safe for one log line: no control characters, at most 64 characters. */
    static String printable(String user) {
        if (user == null) {
            return "(unreadable credentials)";
        }
        StringBuilder out = new StringBuilder();
        user.codePoints()
                .limit(64)
                .forEach(cp -> out.appendCodePoint(
                        Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT ? '?' : cp));
        return user.codePointCount(0, user.length()) > 64 ? out + "…" : out.toString();
    }
}
