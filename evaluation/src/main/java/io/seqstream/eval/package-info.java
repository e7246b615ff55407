/** Benchmark protocols that score anomaly output: DeepLog's session metrics, n-gram baselines, NAB's scorer. */
package io.seqstream.eval;
