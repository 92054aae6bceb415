package io.tasker.worker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void locksAfterTheLimitForTheLockoutThenOneMoreFailureLocksAgain() {
        ManualClock clock = new ManualClock();
        SignInThrottle t = new SignInThrottle(3, Duration.ofSeconds(60), clock);
        assertFalse(t.failed("10.0.0.1").lockedNow());
        assertFalse(t.failed("10.0.0.1").lockedNow());
        assertEquals(Duration.ZERO, t.lockedFor("10.0.0.1"));
        SignInThrottle.Failure third = t.failed("10.0.0.1");
        assertTrue(third.lockedNow());
        assertEquals(3, third.failures());
        assertEquals(Duration.ofSeconds(60), t.lockedFor("10.0.0.1"));
        assertEquals(Duration.ZERO, t.lockedFor("10.0.0.2"), "other clients are not affected");
        assertTrue(t.firstRefusal("10.0.0.1"));
        assertFalse(t.firstRefusal("10.0.0.1"), "a lockout is logged once");

        clock.now = clock.now.plusSeconds(61);
        assertEquals(Duration.ZERO, t.lockedFor("10.0.0.1"));
        assertTrue(t.failed("10.0.0.1").lockedNow(), "after a lockout a single failure locks again");
        assertTrue(t.firstRefusal("10.0.0.1"), "a new lockout is logged again");
    }

    @Test
    void successClearsTheCount() {
        SignInThrottle t = new SignInThrottle(2, Duration.ofSeconds(5), new ManualClock());
        t.failed("c");
        t.succeeded("c");
        assertFalse(t.failed("c").lockedNow());
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> new SignInThrottle(0, Duration.ofSeconds(1), Clock.systemUTC()));
        assertThrows(IllegalArgumentException.class, () -> new SignInThrottle(1, Duration.ZERO, Clock.systemUTC()));
    }

    @Test
    void userNamesAreMadeSafeForOneLogLine() {
        assertEquals("a?b?c", ThrottledBasicAuthentication.printable("a\nb\u202Ec"));
        assertEquals("x".repeat(64) + "…", ThrottledBasicAuthentication.printable("x".repeat(100)));
        assertEquals("(unreadable credentials)", ThrottledBasicAuthentication.printable(null));
    }
}
