/**
 * Testing kit for handler authors, shipped with the worker: {@link io.tasker.worker.testing.HandlerTester} and
 * {@link io.tasker.worker.testing.ResultAssert} unit-test one handler with a hand-built context (no server, no
 * engine); {@link io.tasker.worker.testing.TaskerTestEnvironment} runs whole templates through the real embedded
 * engine in-process. Neither needs a particular test framework; with JUnit 5, {@link io.tasker.worker.testing.TaskerTest}
 * (and {@link io.tasker.worker.testing.TestHandler} fields) manages one environment per test class. JUnit Jupiter is an
 * optional dependency: only those two annotations and {@link io.tasker.worker.testing.TaskerExtension} need it.
 */
package io.tasker.worker.testing;
