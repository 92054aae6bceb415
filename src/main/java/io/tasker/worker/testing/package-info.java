/**
 * Testing kit for handler authors, shipped with the worker: {@link io.tasker.worker.testing.HandlerTester} and
 * {@link io.tasker.worker.testing.ResultAssert} unit-test one handler with a hand-built context (no server, no
 * engine); {@link io.tasker.worker.testing.TaskerTestEnvironment} runs whole templates through the real embedded
 * engine in-process. Neither needs a particular test framework.
 */
package io.tasker.worker.testing;
