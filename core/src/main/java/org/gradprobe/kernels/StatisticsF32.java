package org.gradprobe.kernels;

import java.util.Arrays;

// @generate-float64
/**
 * The probe's statistics passes in plain loops, float32: {@link #summarize} (counts by exponent and
 * moments in one pass) and {@link #squaredDistance}. Sums are kept in double for both element types.
 * {@link VectorStatisticsF32} is the fast float32 path.
 */
final class StatisticsF32 {
    private StatisticsF32() {}

    private static final ThreadLocal<int[][]> COUNTS = ThreadLocal.withInitial(() -> new int[4][Summary.SLOTS]);

    /**
     * Adds the values a[from, to) to {@code out}: their counts by sign and exponent, Σ(v − shift),
     * Σ(v − shift)² and max |v|; with {@code relu}, also the moments of max(v, 0).
     */
    static void summarize(float[] a, int from, int to, double shift, boolean relu, Summary out) {
        // four interleaved count arrays, so that runs of values in the same bin do not wait on each other;
        // one set per thread, cleared for each range
        int[][] c = COUNTS.get();
        int[] c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
        for (int[] ci : c) Arrays.fill(ci, 0);
        double s10 = 0, s11 = 0, s12 = 0, s13 = 0, s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        double sh = shift;    // differences in double: a float subtraction would round them
        int i = from;
        for (; i + 3 < to; i += 4) {
            float v0 = a[i], v1 = a[i + 1], v2 = a[i + 2], v3 = a[i + 3];
            c0[Summary.slot(v0)]++;
            c1[Summary.slot(v1)]++;
            c2[Summary.slot(v2)]++;
            c3[Summary.slot(v3)]++;
            double d0 = v0 - sh, d1 = v1 - sh, d2 = v2 - sh, d3 = v3 - sh;
            s10 += d0;
            s11 += d1;
            s12 += d2;
            s13 += d3;
            s20 += d0 * d0;
            s21 += d1 * d1;
            s22 += d2 * d2;
            s23 += d3 * d3;
            // plain compares: Math.max spends branches on NaN and −0 semantics not needed here
            float a0 = Math.abs(v0), a1 = Math.abs(v1), a2 = Math.abs(v2), a3 = Math.abs(v3);
            m0 = a0 > m0 ? a0 : m0;
            m1 = a1 > m1 ? a1 : m1;
            m2 = a2 > m2 ? a2 : m2;
            m3 = a3 > m3 ? a3 : m3;
        }
        for (; i < to; i++) {
            float v = a[i];
            c0[Summary.slot(v)]++;
            double d = v - sh;
            s10 += d;
            s20 += d * d;
            float av = Math.abs(v);
            m0 = av > m0 ? av : m0;
        }
        for (int k = 0; k < Summary.SLOTS; k++) out.counts[k] += (long) c0[k] + c1[k] + c2[k] + c3[k];
        out.sum += (s10 + s11) + (s12 + s13);
        out.sumSquares += (s20 + s21) + (s22 + s23);
        out.maxAbs = Math.max(out.maxAbs, Math.max(Math.max(m0, m1), Math.max(m2, m3)));
        if (relu) {
            double p1 = 0, p2 = 0;
            float pm = 0;
            for (int k = from; k < to; k++) {
                float v = a[k];
                if (v > 0) {
                    p1 += v;
                    p2 += (double) v * v;
                    pm = v > pm ? v : pm;
                }
            }
            out.reluSum += p1;
            out.reluSumSquares += p2;
            out.reluMax = Math.max(out.reluMax, pm);
        }
    }

    /**
     * Σ (a[i] − b[i])² over [0, n), in double (the probe's update norm: the weights after an update
     * against a copy from before it). The order of the sums depends on n only.
     */
    static double squaredDistance(float[] a, float[] b, int n) {
        // four running sums: one would wait on each addition
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a[i] - (double) b[i], d1 = a[i + 1] - (double) b[i + 1], d2 = a[i + 2] - (double) b[i + 2], d3 = a[i + 3] - (double) b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a[i] - (double) b[i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
