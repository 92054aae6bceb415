/**
 * Example: approval routing with a decision point. {@code validate_request} checks the request,
 * {@code routing_decision} (a {@code type: decision} step) routes by amount — below 1000 to {@code auto_approve},
 * otherwise to {@code manager_approval}, plus {@code finance_review} from 5000 — and the
 * {@code deferred_convergence} step {@code finalize_approval} waits for whichever branches were created.
 * Template: {@code tasker/templates/approval_routing.yaml}.
 */
package io.tasker.worker.examples.decision;
