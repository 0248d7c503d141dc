package org.gradprobe.bench;

import java.util.SplittableRandom;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.probe.Stats;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * The probe's statistics pass, alone: nanoseconds a value to summarize a float32 tensor (moments, zero,
 * NaN and Inf counts, log2-magnitude histogram), plain and together with relu's output as the probe
 * does for a layer a relu follows. What recording every node every step costs is mostly this.
 */
public final class StatsBench {
    private StatsBench() {}

    /** The seed CNN's first convolution output at batch 64: 64 × 32 × 26 × 26 values. */
    public static final int SEED_CONV1_B64 = 64 * 32 * 26 * 26;

    /** Medians over {@code rounds} turns of ns a value, on {@code threads} threads. */
    public record Result(int values, int threads, double plainNsPerValue, double withReluNsPerValue) {}

    public static Result run(int values, int threads, int rounds) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Tensor t = Tensor.randn(DType.FLOAT32, new SplittableRandom(9), 0.1, values);
            boolean parallel = threads > 1;
            // each turn summarizes about 10^8 values (0.1 s at 1 ns a value); the first turns are warm-up for the JIT
            int reps = (int) Math.max(1, 1e8 / values);
            double[] plain = new double[rounds], relu = new double[rounds];
            for (int r = -2; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int q = 0; q < reps; q++) Stats.of(t, parallel);
                long t1 = System.nanoTime();
                for (int q = 0; q < reps; q++) Stats.withRelu(t, parallel);
                long t2 = System.nanoTime();
                if (r < 0) continue;
                plain[r] = (t1 - t0) / ((double) reps * values);
                relu[r] = (t2 - t1) / ((double) reps * values);
            }
            return new Result(values, threads, TrainingBench.median(plain), TrainingBench.median(relu));
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
