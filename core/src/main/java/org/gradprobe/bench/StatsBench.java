package org.gradprobe.bench;

import java.util.SplittableRandom;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.kernels.Storage;
import org.gradprobe.probe.Stats;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/**
 * The probe's statistics pass, alone: nanoseconds a value to summarize a float32 tensor (moments, zero,
 * NaN and Inf counts, log2-magnitude histogram), plain and together with relu's output as the probe
 * does for a layer a relu follows. What recording every node every step costs is mostly this.
 *
 * <p>Also timed: counting each value into its histogram slot and nothing else, in the pass's own
 * layout (eight count tables, one per vector lane, 32K-value pieces over the same threads): no pass
 * that counts each value by an increment in memory, as this one does, can go below it, and it is most
 * of the pass.
 */
public final class StatsBench {
    private StatsBench() {}

    /** The seed CNN's first convolution output at batch 64: 64 × 32 × 26 × 26 values. */
    public static final int SEED_CONV1_B64 = 64 * 32 * 26 * 26;

    /** Medians over {@code rounds} turns of ns a value, on {@code threads} threads. */
    public record Result(int values, int threads, double plainNsPerValue, double withReluNsPerValue, double histogramNsPerValue) {}

    public static Result run(int values, int threads, int rounds) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Tensor t = Tensor.randn(DType.FLOAT32, new SplittableRandom(9), 0.1, values);
            boolean parallel = threads > 1;
            // each turn summarizes about 10^8 values (0.1 s at 1 ns a value); the first turns are warm-up for the JIT
            int reps = (int) Math.max(1, 1e8 / values);
            double[] plain = new double[rounds], relu = new double[rounds], hist = new double[rounds];
            long kept = 0;
            for (int r = -2; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int q = 0; q < reps; q++) Stats.of(t, parallel);
                long t1 = System.nanoTime();
                for (int q = 0; q < reps; q++) Stats.withRelu(t, parallel);
                long t2 = System.nanoTime();
                for (int q = 0; q < reps; q++) kept += countSlots(((Storage.Floats) t.data()).a(), parallel);
                long t3 = System.nanoTime();
                if (r < 0) continue;
                plain[r] = (t1 - t0) / ((double) reps * values);
                relu[r] = (t2 - t1) / ((double) reps * values);
                hist[r] = (t3 - t2) / ((double) reps * values);
            }
            if (kept != (long) values * reps * (rounds + 2)) throw new IllegalStateException("counted " + kept + " values");
            return new Result(values, threads, TrainingBench.median(plain), TrainingBench.median(relu), TrainingBench.median(hist));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static final int PIECE = 1 << 15, SLOTS = 512;
    private static final ThreadLocal<int[]> TABLES = ThreadLocal.withInitial(() -> new int[8 * SLOTS]);

    /** Counts each value of a at its sign-and-exponent slot, piece by piece; returns how many were counted (a's length). */
    static long countSlots(float[] a, boolean parallel) {
        int pieces = (a.length + PIECE - 1) / PIECE;
        long[] some = new long[pieces];
        Parallel.Chunk body = (c, from, to) -> {
            int[] n = TABLES.get();
            for (int k = from; k < to; k++) {
                java.util.Arrays.fill(n, 0);
                int i = k * PIECE, end = Math.min(a.length, i + PIECE);
                for (; i + 8 <= end; i += 8) {
                    n[Float.floatToRawIntBits(a[i]) >>> 23]++;
                    n[SLOTS + (Float.floatToRawIntBits(a[i + 1]) >>> 23)]++;
                    n[2 * SLOTS + (Float.floatToRawIntBits(a[i + 2]) >>> 23)]++;
                    n[3 * SLOTS + (Float.floatToRawIntBits(a[i + 3]) >>> 23)]++;
                    n[4 * SLOTS + (Float.floatToRawIntBits(a[i + 4]) >>> 23)]++;
                    n[5 * SLOTS + (Float.floatToRawIntBits(a[i + 5]) >>> 23)]++;
                    n[6 * SLOTS + (Float.floatToRawIntBits(a[i + 6]) >>> 23)]++;
                    n[7 * SLOTS + (Float.floatToRawIntBits(a[i + 7]) >>> 23)]++;
                }
                for (; i < end; i++) n[Float.floatToRawIntBits(a[i]) >>> 23]++;
                long sum = 0;
                for (int count : n) sum += count;
                some[k] = sum;
            }
        };
        if (parallel) Parallel.forChunks(pieces, body);
        else body.run(0, 0, pieces);
        long sum = 0;
        for (long x : some) sum += x;
        return sum;
    }
}
