package org.gradprobe.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StatsTest {
    static Tensor t(DType dt, double... v) {
        return Tensor.of(dt, new int[] {v.length}, v.clone());
    }

    @Test
    void momentsCountsAndBinsOfASmallTensor() {
        for (DType dt : DType.values()) {
            Stats s = Stats.of(t(dt, 3, -4, 0, 0.5, Double.NaN, Double.POSITIVE_INFINITY));
            assertEquals(6, s.count());
            assertEquals(Math.sqrt(9 + 16 + 0.25), s.norm(), 1e-12);          // over the finite values
            assertEquals(Math.sqrt((9 + 16 + 0.25) / 4), s.rms(), 1e-12);
            assertEquals(-0.125, s.mean(), 1e-12);
            double var = ((3.125 * 3.125) + (3.875 * 3.875) + (0.125 * 0.125) + (0.625 * 0.625)) / 4;
            assertEquals(Math.sqrt(var), s.std(), 1e-12);
            assertEquals(4, s.maxAbs());
            assertEquals(1.0 / 6, s.zeroFraction(), 1e-15);
            assertEquals(1, s.nans());
            assertEquals(1, s.infs());
            assertFalse(s.allFinite());
            long[] h = s.histogram();
            assertEquals(1, h[Stats.ZERO_BIN]);
            assertEquals(1, h[Stats.NAN_BIN]);
            assertEquals(1, h[Stats.INF_BIN]);
            assertEquals(1, h[Stats.bin(1)]);    // 3 in [2, 4)
            assertEquals(1, h[Stats.bin(2)]);    // 4 in [4, 8)
            assertEquals(1, h[Stats.bin(-1)]);   // 0.5 in [0.5, 1)
            long total = 0;
            for (long c : h) total += c;
            assertEquals(6, total, "every value lands in one bin");
        }
    }

    @Test
    void mergingEqualsTheStatisticsOfTheConcatenation() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor a = Tensor.randn(DType.FLOAT64, r, 3, 1000), b = Tensor.randn(DType.FLOAT64, r, 0.01, 37);
        for (int i = 0; i < 37; i++) b.set(i, b.get(i) + 100);    // a very different mean: the merge must not lose it
        double[] both = new double[1037];
        System.arraycopy(a.doubles(), 0, both, 0, 1000);
        System.arraycopy(b.doubles(), 0, both, 1000, 37);
        Stats merged = Stats.of(a).merge(Stats.of(b)), whole = Stats.of(Tensor.wrap(both, 1037));
        assertEquals(whole.mean(), merged.mean(), 1e-12);
        assertEquals(whole.std(), merged.std(), 1e-10);
        assertEquals(whole.norm(), merged.norm(), 1e-9);
        assertEquals(whole.maxAbs(), merged.maxAbs());
        assertArrayEquals(whole.histogram(), merged.histogram());
    }

    @Test
    void varianceSurvivesALargeOffset() {
        double[] v = new double[1000];
        for (int i = 0; i < v.length; i++) v[i] = 1e8 + (i % 2 == 0 ? 1e-3 : -1e-3);
        assertEquals(1e-3, Stats.of(Tensor.wrap(v, 1000)).std(), 1e-8);   // the inputs themselves round at 1.5e-8
    }

    @Test
    void reluStatisticsFromTheInputsPassEqualTheOutputsOwn() {
        SplittableRandom r = new SplittableRandom(6);
        for (DType dt : DType.values()) {
            // more than one background piece, an odd tail, zeros of both signs, subnormals, a large offset;
            // then NaN and ±Inf, which relu passes (NaN, +Inf) or zeroes (−Inf)
            for (int variant = 0; variant < 3; variant++) {
                int n = 2 * Stats.PIECE + 13;
                Tensor x = Tensor.randn(dt, r, variant == 1 ? 1e-3 : 2, n);
                for (int i = 0; i < n; i += 7) x.set(i, i % 2 == 0 ? 0.0 : -0.0);
                for (int i = 3; i < n; i += 101) x.set(i, Float.MIN_VALUE * (i % 5 - 2));
                if (variant == 1) for (int i = 0; i < n; i++) x.set(i, x.get(i) + 0.25);
                if (variant == 2) {
                    x.set(5, Double.NaN);
                    x.set(n - 1, Double.POSITIVE_INFINITY);
                    x.set(Stats.PIECE + 1, Double.NEGATIVE_INFINITY);
                }
                Tensor y = Tensor.zerosLike(x);
                for (int i = 0; i < n; i++) {
                    double v = x.get(i);
                    y.set(i, v > 0 || Double.isNaN(v) ? v : 0.0);
                }
                for (boolean parallel : new boolean[] {false, true}) {
                    Stats[] both = Stats.withRelu(x, parallel);
                    String what = dt + " variant " + variant + " parallel " + parallel;
                    assertSame(Stats.of(x), both[0], what);
                    assertSame(Stats.of(y), both[1], what);
                }
            }
        }
    }

    @Test
    void gatedStatisticsEqualThoseOfTheGatedTensor() {
        SplittableRandom r = new SplittableRandom(8);
        for (DType dt : DType.values()) {
            int n = 2 * Stats.PIECE + 5;
            Tensor g = Tensor.randn(dt, r, 1e-3, n), gate = Tensor.randn(dt, r, 1, n), open = Tensor.zerosLike(g);
            gate.set(3, Double.NaN);    // closed, as relu's backward has it
            gate.set(4, -0.0);
            for (int i = 0; i < n; i++) open.set(i, gate.get(i) > 0 ? g.get(i) : 0.0);
            for (boolean parallel : new boolean[] {false, true}) assertSame(Stats.of(open), Stats.gated(g, gate, parallel), dt + " parallel " + parallel);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Stats.gated(Tensor.zeros(DType.FLOAT32, 4), Tensor.zeros(DType.FLOAT32, 5), false));
    }

    @Test
    void statisticsAreTheSameBitsOnOneThreadOrSeveral() {
        // a recorded step's statistics are computed over however many compute threads there are, or on
        // the calling thread alone (Stats.serial): all must give the same numbers
        SplittableRandom r = new SplittableRandom(12);
        int before = org.gradprobe.kernels.Parallel.threads();
        try {
            for (DType dt : DType.values()) {
                int n = 5 * Stats.PIECE + 17;
                Tensor x = Tensor.randn(dt, r, 3.0, n), gate = Tensor.randn(dt, r, 1, n);
                for (int i = 0; i < n; i++) x.set(i, x.get(i) + 0.5);
                Stats want = Stats.serial(x), wantGated = Stats.gated(x, gate, false);
                Stats[] wantBoth = Stats.withRelu(x, false);
                for (int threads = 1; threads <= 3; threads++) {
                    org.gradprobe.kernels.Parallel.setThreads(threads);
                    String what = dt + " on " + threads + " threads";
                    assertIdentical(want, Stats.of(x), what);
                    assertIdentical(wantGated, Stats.gated(x, gate, true), "gated " + what);
                    Stats[] both = Stats.withRelu(x, true);
                    assertIdentical(wantBoth[0], both[0], "with relu " + what);
                    assertIdentical(wantBoth[1], both[1], "relu " + what);
                    Stats.Deferred pass = Stats.deferWithRelu(x, null);
                    Stats[] deferred = pass.finish();
                    assertIdentical(wantBoth[0], deferred[0], "deferred, with relu " + what);
                    assertIdentical(wantBoth[1], deferred[1], "deferred, relu " + what);
                    Stats[] again = pass.finish();
                    assertIdentical(wantBoth[0], again[0], "deferred, finished twice " + what);
                }
            }
        } finally {
            org.gradprobe.kernels.Parallel.setThreads(before);
        }
    }

    private static void assertIdentical(Stats want, Stats got, String what) {
        assertEquals(want.count(), got.count(), what);
        assertEquals(want.norm(), got.norm(), 0.0, what);
        assertEquals(want.mean(), got.mean(), 0.0, what);
        assertEquals(want.std(), got.std(), 0.0, what);
        assertEquals(want.maxAbs(), got.maxAbs(), 0.0, what);
        assertArrayEquals(want.histogram(), got.histogram(), what);
    }

    /** Equal statistics: counts and histogram exactly, moments to rounding. */
    static void assertSame(Stats want, Stats got, String what) {
        assertEquals(want.count(), got.count(), what);
        assertEquals(want.zeroFraction(), got.zeroFraction(), 0.0, what);
        assertEquals(want.nans(), got.nans(), what);
        assertEquals(want.infs(), got.infs(), what);
        assertEquals(want.maxAbs(), got.maxAbs(), 0.0, what);
        assertEquals(want.norm(), got.norm(), 1e-12 * want.norm(), what);
        assertEquals(want.mean(), got.mean(), 1e-12 * want.rms(), what);
        assertEquals(want.std(), got.std(), 1e-9 * want.rms(), what);
        assertArrayEquals(want.histogram(), got.histogram(), what);
    }

    @Test
    void cheapFiniteCheck() {
        assertTrue(Stats.allFinite(t(DType.FLOAT32, 1, -1e30, 0)));
        assertFalse(Stats.allFinite(t(DType.FLOAT32, 1, Double.NaN)));
        assertFalse(Stats.allFinite(t(DType.FLOAT64, Double.NEGATIVE_INFINITY)));
        assertTrue(Stats.allFinite(t(DType.FLOAT64, Double.MAX_VALUE, -Double.MAX_VALUE)));
    }
}
