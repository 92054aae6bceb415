/**
 * Example: batch processing. {@code analyze_dataset} counts the items, {@code create_batches} (a
 * {@code batchable} step) splits them over workers, each {@code process_batch_NNN} worker sums its slice, and
 * {@code aggregate_results} ({@code deferred_convergence}) adds the slices up. The items are the numbers
 * {@code 1..item_count}, so the expected total is {@code n(n+1)/2}.
 *
 * <p>{@link io.tasker.worker.examples.batch.CheckpointingBatchWorker} does the same work in chunks, saving a
 * checkpoint after each; on its first attempt it fails once mid-way and the retry resumes from the last checkpoint.
 * Templates: {@code tasker/templates/batch_processing.yaml}, {@code tasker/templates/checkpoint_batch.yaml}.
 */
package io.tasker.worker.examples.batch;
