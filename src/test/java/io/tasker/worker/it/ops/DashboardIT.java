package io.tasker.worker.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: headless Debian Chromium against the running test server. Signs in, creates a
 * task through the form, and waits until the page shows it complete, in the task list, the step table and the DAG;
 * then sees a domain event appear and pauses and resumes the worker from the page.
 *
 * <p>Skipped only when Chromium is missing and {@code CI} is unset; in CI a missing browser is a failure
 * ({@code .ci/run} installs the Debian package). A screenshot is left in {@code target/dashboard-it.png}.
 */
class DashboardIT {

    private static HeadlessChromium browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        Path binary = HeadlessChromium.binary();
        boolean present = Files.isExecutable(binary);
        if (!present && System.getenv("CI") != null) {
            fail("Chromium not found at " + binary + " (install the Debian package 'chromium' in .ci/run)");
        }
        assumeTrue(present, "Chromium not installed at " + binary + "; skipped outside CI");
        browser = HeadlessChromium.launch(binary);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void createTaskOnThePageAndSeeItComplete() throws Exception {
        Duration wait = OpsHttp.scaled(Duration.ofSeconds(45));
        Path shot = OpsHttp.projectDir().resolve("target/dashboard-it.png");
        try {
            browser.navigate(OpsHttp.baseUrl() + "/");
            browser.await("the page script to start", "document.body && document.body.dataset.ready === 'true'", wait);
            browser.await(
                    "the worker status", "document.getElementById('worker-state').dataset.state === 'running'", wait);
            browser.await(
                    "the handler list", "!!document.querySelector('#handlers [data-handler=\"double_value\"]')", wait);
            assertTrue(
                    browser.evalBoolean("Number(document.getElementById('slots-total').textContent) > 0"),
                    "slots total shown");

            // Without signing in, the form refuses and asks for credentials (no request is sent).
            browser.eval("document.getElementById('create-btn').click()");
            browser.await("the sign-in prompt", "!document.getElementById('signin-form').hidden", wait);

            // Sign in as an operator.
            browser.eval("(() => { document.getElementById('signin-user').value = " + js(OpsHttp.USER) + ";"
                    + " document.getElementById('signin-password').value = " + js(OpsHttp.PASSWORD) + ";"
                    + " document.querySelector('#signin-form button[type=submit]').click(); })()");
            browser.await(
                    "signed in",
                    "document.getElementById('auth-status').textContent.includes(" + js(OpsHttp.USER) + ")",
                    wait);

            // Create a linear_workflow task with a unique context.
            String marker = OpsHttp.newMarker();
            browser.eval("(() => { document.getElementById('task-name').value = 'linear_workflow';"
                    + " document.getElementById('task-namespace').value = 'examples';"
                    + " document.getElementById('task-version').value = '1.0.0';"
                    + " document.getElementById('task-context').value = JSON.stringify({value: 3, ops_test_run: "
                    + js(marker) + "});"
                    + " document.getElementById('create-btn').click(); })()");
            browser.await(
                    "the create result",
                    "document.getElementById('create-result').className !== ''"
                            + " && document.getElementById('create-result').textContent !== 'Creating…'",
                    wait);
            String result = browser.evalString("document.getElementById('create-result').textContent");
            assertTrue(result.startsWith("Created task"), "create failed on the page: " + result);
            String uuid = browser.evalString("document.getElementById('create-result').dataset.taskUuid");
            assertFalse(uuid == null || uuid.isEmpty(), result);

            // The page shows it complete: list row, detail, steps and every DAG node.
            browser.await(
                    "the task row to be complete",
                    "(() => { const r = document.querySelector(" + "'#tasks-body tr[data-task-uuid=\"" + uuid
                            + "\"]'); return !!r && r.dataset.state === 'complete'; })()",
                    wait);
            browser.await(
                    "the detail to show the task complete",
                    "document.getElementById('task-detail').dataset.taskUuid === " + js(uuid)
                            + " && document.getElementById('task-detail').dataset.state === 'complete'",
                    wait);
            browser.await(
                    "both steps complete in the table",
                    "(() => { const rows = document.querySelectorAll("
                            + "'#steps-body tr[data-step]'); return rows.length === 2 && [...rows].every(r => r.dataset.state === 'complete'); })()",
                    wait);
            browser.await(
                    "the DAG to show both nodes complete",
                    "(() => { const n = document.querySelectorAll("
                            + "'#dag svg g.node'); return n.length === 2 && [...n].every(g => g.dataset.state === 'complete'); })()",
                    wait);
            assertEquals(
                    "double_value,add_constant",
                    browser.evalString(
                            "[...document.querySelectorAll('#dag svg g.node')].map(g => g.dataset.step).join(',')"));
            String output =
                    browser.evalString("document.querySelector('#steps-body tr[data-step=\"add_constant\"] pre')"
                            + " ?.textContent ?? ''");
            assertTrue(output.contains("16"), "add_constant's result (3*2+10) shown: " + output);

            // An opened result stays open while the page keeps polling.
            browser.eval("document.querySelector('#steps-body tr[data-step=\"add_constant\"] details').open = true");
            int ticks = Integer.parseInt(browser.evalString("document.body.dataset.ticks"));
            browser.await("two more polls", "Number(document.body.dataset.ticks) >= " + (ticks + 2), wait);
            assertTrue(
                    browser.evalBoolean(
                            "document.querySelector('#steps-body tr[data-step=\"add_constant\"] details').open"),
                    "the result panel closed on a refresh");

            // Edges appear once the steps API reports each step's parents (add_constant after double_value).
            JsonNode steps = OpsHttp.json(OpsHttp.get("/api/tasks/" + uuid + "/steps"));
            JsonNode stepList = steps.isArray() ? steps : steps.path("steps");
            if (stepList.size() > 0
                    && (stepList.get(0).has("dependencies") || stepList.get(0).has("parents"))) {
                assertEquals("1", browser.evalString("document.querySelector('#dag svg').dataset.edges"));
                assertEquals(
                        "double_value",
                        browser.evalString("document.querySelector('#dag svg path.edge').dataset.from"));
            }

            // The server agrees.
            JsonNode task = OpsHttp.task(uuid);
            assertEquals("complete", task.path("status").asText(), task.toString());
            assertEquals(marker, task.path("context").path("ops_test_run").asText());

            // Domain events: the order example publishes order.placed in-process; the page lists it.
            com.fasterxml.jackson.databind.node.ObjectNode order =
                    OpsHttp.taskRequest("event_examples", "order_events", OpsHttp.newMarker());
            ((com.fasterxml.jackson.databind.node.ObjectNode) order.get("context"))
                    .put("order_id", "ORD-" + marker.substring(0, 8))
                    .put("amount", 12.5);
            String orderTask = OpsHttp.createTask(order);
            browser.await(
                    "order.placed for task " + orderTask + " in the domain events table",
                    "[...document"
                            + ".querySelectorAll('#events-body tr')].some(r => r.textContent.includes('order.placed')"
                            + " && r.textContent.includes(" + js(orderTask.substring(orderTask.length() - 8)) + "))",
                    wait);

            // Pause and resume from the page.
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
            assertFalse(OpsHttp.json(OpsHttp.get("/api/worker")).path("paused").asBoolean());

            assertTrue(browser.exceptions().isEmpty(), "uncaught page errors: " + browser.exceptions());
        } finally {
            try {
                browser.screenshot(shot);
            } catch (Exception e) {
                System.err.println("screenshot failed: " + e);
            }
            try {
                // never leave the shared worker paused
                OpsHttp.post("/api/worker/resume", null, OpsHttp.operatorAuth());
            } catch (Exception ignored) {
                // the server may be gone
            }
        }
    }
}
