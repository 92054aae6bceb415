package io.tasker.worker.security;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Response headers for every page and API answer. The dashboard loads only its own script and style sheet (no
 * inline script or style attribute, no external asset), so the policy can forbid everything else: a value from a
 * task that ever reached the DOM as markup could still not run script, load an image or send data elsewhere.
 */
public final class SecurityHeaders {

    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    public static void apply(HttpServletResponse response) {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Frame-Options", "DENY"); // frame-ancestors for browsers without CSP level 2
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    }
}
