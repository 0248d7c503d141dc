/**
 * Benchmarks behind {@code gradprobe bench}: training throughput of the seed CNN with the probe off, at
 * its default interval and at every step, measured alternately in one run and reported as medians and
 * ratios (never asserted as timings in tests).
 */
package org.gradprobe.bench;
