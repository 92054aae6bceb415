package io.tasker.worker.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.worker.it.SecondServer;
import io.tasker.worker.security.SecurityHeaders;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The worker as the container image runs it: {@code TASKER_ENV=production}, the shipped server.xml, ops.xml and
 * jvm.options, the packaged WAR. A second Liberty server of the build's install ({@code productionServer}, port
 * {@code http.port + 2}) so that lockouts and restarts never touch the shared test server.
 *
 * <ol>
 *   <li>Without TASKER_ADMIN_PASSWORD the application refuses to start, naming the variable; {@code admin} /
 *       {@code tasker-dev} changes nothing.</li>
 *   <li>With a password hashed by {@code securityUtility encode --encoding=hash}: the plain password works, the
 *       default and the hash itself do not; every answer carries the security headers.</li>
 *   <li>Hostile task data (context, result, error message, domain event payload) shows as text in headless
 *       Chromium under the Content-Security-Policy, runs no script and leaves the page usable. The WAR gets two
 *       test-only handlers and a test template for this (package {@code it.ops.hostile}).</li>
 *   <li>Repeated wrong passwords lock the client out for a while; each failure is logged once, without the
 *       password.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionServerIT {

    private static final String SERVER = "productionServer";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "op-" + UUID.randomUUID();
    private static final int MAX_FAILURES = 3;
    private static final int LOCKOUT_SECONDS = 4;

    private final Path basedir = Path.of("").toAbsolutePath();
    private final Path target = basedir.resolve("target");
    private final Path work = target.resolve("production-it");
    private SecondServer server;
    private String hashedPassword;

    @BeforeAll
    void createServer() throws Exception {
        server = SecondServer.prepare(SERVER, 2, work)
                .notInheriting(
                        "TASKER_ENV",
                        "TASKER_ADMIN_USER",
                        "TASKER_ADMIN_PASSWORD",
                        "TASKER_CONFIG_PATH",
                        "TASKER_TEMPLATE_PATH");
        server.create();
        // Exactly what the image copies to /config/: the shipped configuration, the WAR in apps/.
        for (String file : List.of("server.xml", "ops.xml", "jvm.options")) {
            Files.copy(
                    basedir.resolve("src/main/liberty/config").resolve(file),
                    server.dir().resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Path war = server.dir().resolve("apps/tasker-worker.war");
        SecondServer.copyTree(target.resolve("tasker-worker"), war);
        assertTrue(Files.isDirectory(war.resolve("WEB-INF/classes")), "no exploded WAR in target/tasker-worker");
        SecondServer.copyTree(
                target.resolve("test-classes/io/tasker/worker/it/ops/hostile"),
                war.resolve("WEB-INF/classes/io/tasker/worker/it/ops/hostile"));
        SecondServer.copyTree(target.resolve("test-classes/tasker/hostile-templates"), work.resolve("templates"));
    }

    @AfterAll
    void deleteServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void withoutAPasswordTheApplicationRefusesToStartAndTheDefaultChangesNothing() throws Exception {
        startServer(null);
        try {
            String log =
                    server.awaitLog("CWWKZ0012I", Duration.ofSeconds(180)); // "The application ... was not started."
            assertTrue(
                    log.contains("Refusing to start") && log.contains("TASKER_ADMIN_PASSWORD"),
                    "the error must name TASKER_ADMIN_PASSWORD: " + errors(log));
            HttpResponse<String> create =
                    post("/api/tasks", hostileTask("default-" + UUID.randomUUID()), basic("admin", "tasker-dev"));
            assertFalse(create.statusCode() / 100 == 2, "the default account must not create: " + create.statusCode());
            assertNotEquals(200, get("/health/ready").statusCode(), "a refused start must not report ready");
        } finally {
            server.stop();
        }
    }

    @Test
    @Order(2)
    void aHashedPasswordWorksAndNeitherTheDefaultNorTheHashDo() throws Exception {
        hashedPassword = encodeHash(PASSWORD);
        assertTrue(hashedPassword.startsWith("{hash}"), hashedPassword);
        SecondServer.deleteTree(server.dir().resolve("logs"));
        startServer(hashedPassword);
        server.awaitReady(Duration.ofSeconds(180));
        String log = Files.readString(server.dir().resolve("logs/messages.log"));
        assertFalse(log.contains("published development password"), "no default warning with a real password");

        assertEquals(
                401,
                post("/api/tasks", hostileTask("d"), basic("admin", "tasker-dev"))
                        .statusCode());
        assertEquals(
                401,
                post("/api/tasks", hostileTask("h"), basic("admin", hashedPassword))
                        .statusCode());
        HttpResponse<String> resumed = post("/api/worker/resume", null, basic("admin", PASSWORD));
        assertEquals(2, resumed.statusCode() / 100, resumed.statusCode() + " " + resumed.body());
    }

    @Test
    @Order(3)
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        List<HttpResponse<String>> answers = List.of(
                get("/"),
                get("/index.html"),
                get("/dashboard.js"),
                get("/dashboard.css"),
                get("/api/worker"),
                get("/api/tasks/not-a-uuid"),
                post("/api/worker/pause", null, null));
        for (HttpResponse<String> r : answers) {
            String what = r.request().method() + " " + r.uri().getPath() + " -> " + r.statusCode();
            assertEquals(
                    SecurityHeaders.CONTENT_SECURITY_POLICY,
                    r.headers().firstValue("Content-Security-Policy").orElse(null),
                    what);
            assertTrue(
                    r.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"),
                    what);
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), what);
            assertEquals(
                    "no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), what);
        }
        assertEquals(401, answers.get(answers.size() - 1).statusCode(), "an unauthenticated pause is refused");
    }

    @Test
    @Order(4)
    void hostileTaskDataShowsAsTextAndRunsNoScript() throws Exception {
        Path binary = HeadlessChromium.binary();
        boolean present = Files.isExecutable(binary);
        if (!present && System.getenv("CI") != null) {
            fail("Chromium not found at " + binary + " (install the Debian package 'chromium' in .ci/run)");
        }
        Assumptions.assumeTrue(present, "Chromium not installed at " + binary + "; skipped outside CI");

        String marker = UUID.randomUUID().toString();
        ObjectNode task = hostileTask(marker);
        HttpResponse<String> created = post("/api/tasks", task, basic("admin", PASSWORD));
        assertEquals(2, created.statusCode() / 100, created.statusCode() + " " + created.body());
        String uuid = JSON.readTree(created.body()).path("task_uuid").asText();
        awaitTaskFailed(uuid);

        Duration wait = OpsHttp.scaled(Duration.ofSeconds(45));
        try (HeadlessChromium browser = HeadlessChromium.launch(binary)) {
            try {
                browser.onEveryPage("window.__xss = []; window.__csp = [];"
                        + " document.addEventListener('securitypolicyviolation', e =>"
                        + " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
                browser.navigate("http://localhost:" + server.port() + "/#task=" + uuid);
                browser.await("the page script", "document.body && document.body.dataset.ready === 'true'", wait);
                browser.await(
                        "both steps in the table",
                        "document.querySelectorAll('#steps-body tr[data-step]').length === 2"
                                + " && !!document.querySelector('#steps-body tr[data-step=\"fail_with_input\"] .error-text')",
                        wait);
                browser.await(
                        "the task's context",
                        "document.getElementById('task-input-body').textContent.includes(" + js(marker) + ")",
                        wait);
                browser.await(
                        "the hostile.echoed event",
                        "[...document.querySelectorAll('#events-body tr')]"
                                + ".some(r => r.textContent.includes('hostile.echoed') && r.textContent.includes("
                                + js(marker) + "))",
                        wait);

                // Everything arrived as text: the context, the echo's result, the error, the event payload.
                String context = browser.evalString("document.getElementById('task-input-body').textContent");
                String result = browser.evalString(
                        "document.querySelector('#steps-body tr[data-step=\"echo\"] pre').textContent");
                String error = browser.evalString(
                        "document.querySelector('#steps-body tr[data-step=\"fail_with_input\"] .error-text').textContent");
                String payload = browser.evalString(
                        "[...document.querySelectorAll('#events-body tr')].filter(r =>" + " r.textContent.includes("
                                + js(marker) + ")).map(r => r.querySelector('pre').textContent).join('')");
                for (String shown : List.of(context, result, payload)) {
                    for (String hostile : List.of(IMG, SCRIPT_CLOSE, JAVASCRIPT_URL, SVG, ATTRIBUTE_BREAK, RTL)) {
                        assertTrue(
                                shown.contains(JSON.writeValueAsString(hostile).replaceAll("^\"|\"$", ""))
                                        || shown.contains(hostile),
                                "not shown verbatim: " + hostile + " in " + abbreviate(shown));
                    }
                    assertTrue(shown.contains(LONG.substring(0, 2000)), "the long value is shown");
                }
                assertTrue(
                        error.contains(IMG) && error.contains(SCRIPT_CLOSE) && error.contains(RTL),
                        "the error message is shown verbatim: " + abbreviate(error));

                // No markup from the data reached the DOM, no script ran, nothing was even attempted.
                assertEquals(
                        0,
                        browser.eval("document.querySelectorAll('img, svg image, iframe, object, embed').length")
                                .asInt(),
                        "an element from task data reached the DOM");
                assertEquals(1, browser.eval("document.scripts.length").asInt(), "only dashboard.js");
                assertEquals(
                        0,
                        browser.eval(
                                        "[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                                                + ".some(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))).length")
                                .asInt(),
                        "an event-handler attribute or javascript: URL reached the DOM");
                assertEquals("[]", browser.eval("window.__xss").toString(), "a script from task data ran");
                assertEquals(
                        "[]",
                        browser.eval("window.__csp").toString(),
                        "the dashboard needs something the Content-Security-Policy forbids");
                assertTrue(browser.exceptions().isEmpty(), "uncaught page errors: " + browser.exceptions());

                // Still usable: the long values wrap instead of widening the page, and the controls still work.
                assertTrue(
                        browser.evalBoolean("document.documentElement.scrollWidth <= window.innerWidth + 1"),
                        "the page is wider than the window: "
                                + browser.evalString("document.documentElement.scrollWidth"));
                browser.eval("document.querySelectorAll('details').forEach(d => { d.open = true; })");
                for (String box : List.of(
                        "#steps-body tr[data-step=\"fail_with_input\"] .error-text",
                        "#steps-body tr[data-step=\"echo\"] pre",
                        "#task-input-body",
                        "#events-body pre")) {
                    int height = browser.eval("document.querySelector(" + js(box) + ").getBoundingClientRect().height")
                            .asInt();
                    assertTrue(height <= 250, box + " is " + height + " px high: long values must scroll in their box");
                }
                assertEquals(
                        "isolate",
                        browser.evalString("getComputedStyle(document.querySelector("
                                + "'#steps-body tr[data-step=\"fail_with_input\"] .error-text')).unicodeBidi"),
                        "a right-to-left override in the data must not reorder the text around it");
                browser.eval("document.getElementById('signin-toggle').click()");
                browser.await("the sign-in form opens", "!document.getElementById('signin-form').hidden", wait);
                browser.eval("(() => { document.getElementById('signin-user').value = 'admin';"
                        + " document.getElementById('signin-password').value = " + js(PASSWORD) + ";"
                        + " document.querySelector('#signin-form button[type=submit]').click(); })()");
                browser.eval("document.getElementById('pause-btn').click()");
                browser.await(
                        "the worker to show paused",
                        "document.getElementById('worker-state').dataset.state === 'paused'",
                        wait);
                browser.eval("document.getElementById('resume-btn').click()");
                browser.await(
                        "the worker to show running",
                        "document.getElementById('worker-state').dataset.state === 'running'",
                        wait);
                int ticks = Integer.parseInt(browser.evalString("document.body.dataset.ticks"));
                browser.await("the page keeps polling", "Number(document.body.dataset.ticks) >= " + (ticks + 2), wait);
                assertEquals("[]", browser.eval("window.__xss").toString());
                assertEquals("[]", browser.eval("window.__csp").toString());
            } finally {
                browser.screenshot(target.resolve("production-it-hostile.png"));
            }
        } finally {
            post("/api/worker/resume", null, basic("admin", PASSWORD));
        }
    }

    @Test
    @Order(5)
    void repeatedWrongPasswordsLockTheClientOutForAWhile() throws Exception {
        String user = "probe-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> wrong = new ArrayList<>();
        for (int i = 1; i <= MAX_FAILURES; i++) {
            String guess = "guess-" + UUID.randomUUID();
            wrong.add(guess);
            HttpResponse<String> r = post("/api/worker/resume", null, basic(user, guess));
            assertEquals(401, r.statusCode(), "attempt " + i);
        }
        // Locked: even the right password is refused, without being checked.
        long lockedAt = System.nanoTime();
        HttpResponse<String> refused = post("/api/worker/resume", null, basic("admin", PASSWORD));
        assertEquals(429, refused.statusCode(), refused.body());
        long retryAfter =
                Long.parseLong(refused.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= LOCKOUT_SECONDS, "Retry-After " + retryAfter);
        assertEquals(
                429,
                post("/api/tasks", hostileTask("locked"), basic("admin", PASSWORD))
                        .statusCode());

        // Each failure logged once with the client address; the lockout once; no password anywhere.
        String log = server.awaitLog("Sign-in refused for client", Duration.ofSeconds(10));
        Matcher failures = Pattern.compile(
                        "Sign-in failed for user '" + user + "' from (\\S+) \\((\\d) of " + MAX_FAILURES)
                .matcher(log);
        int count = 0;
        while (failures.find()) {
            count++;
            assertFalse(failures.group(1).isBlank());
            assertEquals(Integer.toString(count), failures.group(2));
        }
        assertEquals(MAX_FAILURES, count, "each failure logged exactly once:\n" + log);
        assertEquals(1, log.split("Sign-in refused for client", -1).length - 1, "the lockout logged once");
        for (String guess : wrong) {
            assertFalse(log.contains(guess), "a password reached the log");
        }
        assertFalse(log.contains(PASSWORD), "a password reached the log");

        // After the lockout the right password works again.
        long remaining = TimeUnit.SECONDS.toNanos(LOCKOUT_SECONDS) - (System.nanoTime() - lockedAt);
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(remaining)) + 1200);
        HttpResponse<String> again = post("/api/worker/resume", null, basic("admin", PASSWORD));
        assertEquals(2, again.statusCode() / 100, again.statusCode() + " " + again.body());
    }

    // ---- hostile data ----

    private static final String IMG = "<img src=x onerror=\"window.__xss.push('img')\">";
    private static final String SCRIPT_CLOSE = "</script><script>window.__xss.push('script')</script>";
    private static final String JAVASCRIPT_URL = "javascript:window.__xss.push('href')";
    private static final String SVG =
            "<svg onload=\"window.__xss.push('svg')\"><a href=\"javascript:alert(1)\">x</a></svg>";
    private static final String ATTRIBUTE_BREAK = "\"'><b data-x='1'>bold</b><!--";
    private static final String RTL = "\u202Eexe.txt\u202C and \u2067isolate";
    private static final String LONG = "W".repeat(30_000);

    private static ObjectNode hostileTask(String marker) {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", "hostile_data");
        body.put("namespace", "hostile");
        body.put("version", "1.0.0");
        ObjectNode ctx = body.putObject("context");
        ctx.put("marker", marker);
        ctx.put("html", IMG);
        ctx.put("script", SCRIPT_CLOSE);
        ctx.put("link", JAVASCRIPT_URL);
        ctx.put("svg", SVG);
        ctx.put("attribute", ATTRIBUTE_BREAK);
        ctx.put("rtl", RTL);
        ctx.put("long", LONG);
        ctx.put(IMG, "a hostile key");
        ctx.put("error_message", IMG + " " + SCRIPT_CLOSE + " " + RTL + " " + LONG.substring(0, 5000));
        return body;
    }

    private void awaitTaskFailed(String uuid) throws Exception {
        long deadline =
                System.nanoTime() + OpsHttp.scaled(Duration.ofSeconds(60)).toNanos();
        JsonNode last = null;
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> r = get("/api/tasks/" + uuid);
            last = JSON.readTree(r.body());
            if (OpsHttp.isBlocked(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the hostile task did not fail its second step: " + abbreviate(String.valueOf(last)));
    }

    private static String errors(String log) {
        return log.lines()
                .filter(l -> l.contains(" E ") || l.contains(" W "))
                .map(ProductionServerIT::abbreviate)
                .reduce("", (a, b) -> a + "\n" + b);
    }

    private static String abbreviate(String s) {
        return s == null || s.length() < 600 ? s : s.substring(0, 600) + "…";
    }

    private static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    // ---- the server ----

    /** {@code securityUtility encode --encoding=hash}: what an operator runs to keep the password out of files. */
    private String encodeHash(String password) throws Exception {
        Path out = server.run(120, Map.of(), "securityUtility", "encode", "--encoding=hash", password);
        for (String line : Files.readAllLines(out)) {
            if (line.startsWith("{hash}")) {
                return line.strip();
            }
        }
        throw new AssertionError("securityUtility printed no {hash}: " + Files.readString(out));
    }

    private void startServer(String adminPassword) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("TASKER_ENV", "production");
        env.put("TASKER_TEMPLATE_PATH", work.resolve("templates").toString());
        env.put("TASKER_SIGNIN_MAX_FAILURES", Integer.toString(MAX_FAILURES));
        env.put("TASKER_SIGNIN_LOCKOUT_SECONDS", Integer.toString(LOCKOUT_SECONDS));
        env.put("OTEL_SDK_DISABLED", "true");
        if (adminPassword != null) {
            env.put("TASKER_ADMIN_PASSWORD", adminPassword);
        }
        server.start(env);
    }

    // ---- HTTP ----

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return server.get(path);
    }

    private HttpResponse<String> post(String path, Object body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = server.request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : JSON.writeValueAsString(body)));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return server.send(b);
    }
}
