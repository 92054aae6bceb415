package io.tasker.worker.security;

import static io.tasker.worker.security.DefaultCredentialPolicy.Outcome.ACCEPT;
import static io.tasker.worker.security.DefaultCredentialPolicy.Outcome.REFUSE;
import static io.tasker.worker.security.DefaultCredentialPolicy.Outcome.WARN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DefaultCredentialPolicyTest {

    @Test
    void theDefaultIsRefusedOutsideDevelopmentAndTestNamingTheVariable() {
        for (String env : new String[] {"production", "staging", "PRODUCTION", "qa"}) {
            DefaultCredentialPolicy.Verdict v = DefaultCredentialPolicy.check(env, "admin", "tasker-dev");
            assertEquals(REFUSE, v.outcome(), env);
            assertTrue(
                    v.message().contains("TASKER_ADMIN_PASSWORD") && v.message().contains("'admin'"), v.message());
            assertTrue(!v.message().contains("tasker-dev"), "the message names the variable, not the password");
        }
    }

    @Test
    void developmentTestAndUnsetOnlyWarnNamingTheAccount() {
        for (String env : new String[] {null, "", "development", "dev", "test", " Test "}) {
            DefaultCredentialPolicy.Verdict v = DefaultCredentialPolicy.check(env, "ops", "tasker-dev");
            assertEquals(WARN, v.outcome(), String.valueOf(env));
            assertTrue(v.message().contains("'ops'") && v.message().contains("TASKER_ADMIN_PASSWORD"), v.message());
        }
    }

    @Test
    void anyOtherPasswordOrNoBasicRegistryIsAccepted() {
        assertEquals(
                ACCEPT,
                DefaultCredentialPolicy.check("production", "admin", "s3cret").outcome());
        assertEquals(
                ACCEPT,
                DefaultCredentialPolicy.check("production", "admin", "{hash}ARAAAAAUU0hBLTI1Ng==")
                        .outcome());
        assertEquals(
                ACCEPT, DefaultCredentialPolicy.check("production", null, null).outcome(), "JWT, LDAP, own registry");
        assertEquals(
                ACCEPT,
                DefaultCredentialPolicy.check("production", "admin", "{xor}not base64!")
                        .outcome());
    }

    @Test
    void theXorEncodedDefaultIsStillTheDefault() {
        byte[] bytes = "tasker-dev".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] ^= '_';
        }
        String xor = "{xor}" + Base64.getEncoder().encodeToString(bytes);
        assertEquals(
                REFUSE,
                DefaultCredentialPolicy.check("production", "admin", xor).outcome(),
                xor);
    }
}
