package io.tasker.worker.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether the operator account may start with the password it has. The published development default
 * ({@code tasker-dev}, ops.xml) is fine on a developer's machine and in tests, and never anywhere else: anyone who
 * has read the README knows it.
 */
public final class DefaultCredentialPolicy {

    /** The development default of {@code TASKER_ADMIN_PASSWORD} in ops.xml. */
    public static final String DEFAULT_PASSWORD = "tasker-dev";

    /** Environments where the default is allowed. An unset TASKER_ENV is development, as for the engine. */
    private static final Set<String> RELAXED = Set.of("", "development", "dev", "test");

    /** What startup does with the account. */
    public enum Outcome {
        ACCEPT,
        WARN,
        REFUSE
    }

    public record Verdict(Outcome outcome, String message) {}

    private DefaultCredentialPolicy() {}

    /**
     * @param environment TASKER_ENV (null when unset)
     * @param user        the operator user (TASKER_ADMIN_USER), for the message
     * @param password    the password Liberty's registry gets (TASKER_ADMIN_PASSWORD); null when the server has no
     *                    such variable (its own registry, LDAP, MicroProfile JWT): nothing to check then
     */
    public static Verdict check(String environment, String user, String password) {
        if (password == null || !isDefault(password)) {
            return new Verdict(Outcome.ACCEPT, null);
        }
        String env = environment == null ? "" : environment.trim().toLowerCase(Locale.ROOT);
        String account = "'" + (user == null || user.isBlank() ? "admin" : user) + "'";
        if (RELAXED.contains(env)) {
            return new Verdict(
                    Outcome.WARN,
                    "The operator account " + account + " has the published development"
                            + " password (TASKER_ENV=" + (env.isEmpty() ? "unset, so development" : env)
                            + "). Anyone who"
                            + " can reach this server can create, cancel and pause. Set TASKER_ADMIN_PASSWORD before it is"
                            + " reachable from other machines.");
        }
        return new Verdict(
                Outcome.REFUSE,
                "Refusing to start: TASKER_ENV=" + env + " and the operator account "
                        + account + " has the published development password. Set TASKER_ADMIN_PASSWORD (plain, or"
                        + " encoded with Liberty's securityUtility encode, e.g. --encoding=hash) in the server's environment"
                        + " or a Kubernetes Secret; or set TASKER_ENV=development on a machine only you can reach.");
    }

    /** The default in plain text or in Liberty's reversible {xor} encoding ({aes} and {hash} cannot be compared). */
    static boolean isDefault(String password) {
        String p = password.trim();
        if (p.equals(DEFAULT_PASSWORD)) {
            return true;
        }
        if (p.regionMatches(true, 0, "{xor}", 0, 5)) {
            try {
                byte[] bytes = Base64.getDecoder().decode(p.substring(5));
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] ^= '_';
                }
                return new String(bytes, StandardCharsets.UTF_8).equals(DEFAULT_PASSWORD);
            } catch (IllegalArgumentException e) {
                return false; // not valid base64: Liberty will reject it too, and it is not our default
            }
        }
        return false;
    }
}
