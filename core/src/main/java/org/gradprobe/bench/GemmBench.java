package org.gradprobe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Storage;
import org.gradprobe.kernels.Parallel;

/** Matrix multiply throughput of the kernels in use, and the process's peak memory. */
public final class GemmBench {
    private GemmBench() {}

    /** GFLOP/s (2·n³ per product) of float32 and float64 n×n×n products on {@code threads} threads: medians of {@code rounds} turns. */
    public record Result(int n, int threads, double float32Gflops, double float64Gflops) {}

    public static Result run(int n, int threads, int rounds) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            SplittableRandom rng = new SplittableRandom(7);
            float[] af = new float[n * n], bf = new float[n * n], cf = new float[n * n];
            double[] ad = new double[n * n], bd = new double[n * n], cd = new double[n * n];
            for (int i = 0; i < n * n; i++) {
                ad[i] = af[i] = (float) rng.nextDouble(-1, 1);
                bd[i] = bf[i] = (float) rng.nextDouble(-1, 1);
            }
            Storage a32 = new Storage.Floats(af), b32 = new Storage.Floats(bf), c32 = new Storage.Floats(cf);
            Storage a64 = new Storage.Doubles(ad), b64 = new Storage.Doubles(bd), c64 = new Storage.Doubles(cd);
            // each turn runs products for about 0.2 s at 100 GFLOP/s; the first turns are warm-up for the JIT
            int reps = (int) Math.max(1, 2e10 / (2.0 * n * n * n));
            double[] f32 = new double[rounds], f64 = new double[rounds];
            for (int r = -2; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int q = 0; q < reps; q++) Kernels.gemm(false, false, n, n, n, a32, 0, b32, 0, c32, 0, false);
                long t1 = System.nanoTime();
                for (int q = 0; q < Math.max(1, reps / 2); q++) Kernels.gemm(false, false, n, n, n, a64, 0, b64, 0, c64, 0, false);
                long t2 = System.nanoTime();
                if (r < 0) continue;
                f32[r] = 2.0 * n * n * n * reps / (t1 - t0);
                f64[r] = 2.0 * n * n * n * Math.max(1, reps / 2) / (t2 - t1);
            }
            return new Result(n, threads, TrainingBench.median(f32), TrainingBench.median(f64));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** Peak resident set size of this process in bytes (Linux's VmHWM), or -1 where unknown. */
    public static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;    // reported in kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The sum of the peak usage of the heap's memory pools, in bytes. */
    public static long peakHeapBytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage() == null ? 0 : p.getPeakUsage().getUsed())
                .sum();
    }
}
