package org.gradprobe.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel implementation against a plain triple loop in double precision, over shapes that hit
 * every edge of the blocking (partial micro-tiles, several K/M blocks, one row, one column), all four
 * transpose cases, offsets and accumulation, on one thread and on several.
 */
class KernelsTest {

    static Stream<Arguments> cases() {
        int[][] shapes = {
            {1, 1, 1}, {3, 5, 7}, {6, 16, 8}, {7, 17, 9}, {32, 676, 9}, {64, 121, 288}, {64, 288, 121},
            {288, 121, 64}, {9, 40, 203}, {4, 128, 1600}, {128, 1600, 4}, {4, 1600, 128}, {75, 300, 257}, {13, 4100, 3}, {150, 40, 520}, {100, 9, 2000},
            {10, 37, 4100}, {16, 48, 6000},   // a small C over a long shared dimension: cut along k
        };
        Stream.Builder<Arguments> out = Stream.builder();
        for (Impl k : BOTH) {
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) out.add(Arguments.of(k.name(), k, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return out.build();
    }

    /**
     * One backend's kernels, float32 and float64, under one name: the plain loops, or the Vector API
     * (which falls back to the loops where it has no kernel of its own, as {@link Kernels} does). The
     * facade picks one backend per JVM; the tests run both.
     */
    record Impl(String name, boolean vector) {
        void gemm(boolean tA, boolean tB, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean acc) {
            if (vector) VectorProductsF32.gemm(tA, tB, m, n, k, a, aOff, b, bOff, c, cOff, acc);
            else ProductsF32.gemm(tA, tB, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        }

        void gemm(boolean tA, boolean tB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean acc) {
            if (vector) VectorProductsF64.gemm(tA, tB, m, n, k, a, aOff, b, bOff, c, cOff, acc);
            else ProductsF64.gemm(tA, tB, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        }

        void summarize(float[] a, int from, int to, double shift, boolean relu, Summary out) {
            if (vector) VectorStatisticsF32.summarize(a, from, to, shift, relu, out);
            else StatisticsF32.summarize(a, from, to, shift, relu, out);
        }

        void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
                  double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
            if (vector) VectorOptimizersF32.adam(p, g, m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
            else ElementwiseF32.adam(p, g, m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
        }

        void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                     double wd, double alpha, double eps, double momentum, double lr) {
            if (vector) VectorOptimizersF32.rmsProp(p, g, v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
            else ElementwiseF32.rmsProp(p, g, v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
        }

        double squaredDistance(float[] a, float[] b, int n) {
            return vector ? VectorStatisticsF32.squaredDistance(a, b, n) : StatisticsF32.squaredDistance(a, b, n);
        }

        double squaredDistance(double[] a, double[] b, int n) {
            return StatisticsF64.squaredDistance(a, b, n);    // float64 has the loops only
        }

        void shortProduct(int m, int p, int k, double[] w, double[] bias, double[] cols, int colsOff, int ld, double[] y, int yOff) {
            ConvF64.shortProduct(m, p, k, w, bias, cols, colsOff, ld, y, yOff);
        }

        void shortWeightGrad(int m, int p, int k, double[] g, int gOff, double[] cols, int colsOff, int ld, double[] gw, int gwOff, double[] gb, int gbOff) {
            ConvF64.shortWeightGrad(m, p, k, g, gOff, cols, colsOff, ld, gw, gwOff, gb, gbOff);
        }

        void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
            ConvF32.maxPool2d(x, planes, h, w, k, stride, oh, ow, out, argmax);    // one path on both backends
        }

        void maxInto(float[] acc, int accOff, float[] a, int aOff, int n) {
            if (vector) VectorElementwiseF32.maxInto(acc, accOff, a, aOff, n);
            else ElementwiseF32.maxInto(acc, accOff, a, aOff, n);
        }

        void maxInto(double[] acc, int accOff, double[] a, int aOff, int n) {
            if (vector) VectorElementwiseF64.maxInto(acc, accOff, a, aOff, n);
            else ElementwiseF64.maxInto(acc, accOff, a, aOff, n);
        }

        void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld) {
            if (vector) VectorConvF32.im2col(x, xOff, c, h, w, kh, kw, stride, pad, oh, ow, cols, colsOff, ld);
            else ConvF32.im2col(x, xOff, c, h, w, kh, kw, stride, pad, oh, ow, cols, colsOff, ld);
        }

        void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
            if (vector) VectorConvF32.col2im(cols, colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, dx, xOff);
            else ConvF32.col2im(cols, colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, dx, xOff);
        }

        void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff) {
            if (vector) VectorConvF32.shortProduct(m, p, k, w, bias, cols, colsOff, ld, y, yOff);
            else ConvF32.shortProduct(m, p, k, w, bias, cols, colsOff, ld, y, yOff);
        }

        void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff) {
            if (vector) VectorConvF32.shortWeightGrad(m, p, k, g, gOff, cols, colsOff, ld, gw, gwOff, gb, gbOff);
            else ConvF32.shortWeightGrad(m, p, k, g, gOff, cols, colsOff, ld, gw, gwOff, gb, gbOff);
        }

        void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom) {
            if (vector) VectorElementwiseF32.reluBackward(x, g, from, to, out, outFrom);
            else ElementwiseF32.reluBackward(x, g, from, to, out, outFrom);
        }

        void reluBackward(double[] x, double[] g, int from, int to, double[] out, int outFrom) {
            if (vector) VectorElementwiseF64.reluBackward(x, g, from, to, out, outFrom);
            else ElementwiseF64.reluBackward(x, g, from, to, out, outFrom);
        }

        boolean allFinite(float[] a, int from, int to) {
            return vector ? VectorElementwiseF32.allFinite(a, from, to) : ElementwiseF32.allFinite(a, from, to);
        }

        boolean allFinite(double[] a, int from, int to) {
            return vector ? VectorElementwiseF64.allFinite(a, from, to) : ElementwiseF64.allFinite(a, from, to);
        }

        void rnnForward(float[] pre, int off, int len, boolean relu) {
            if (vector) VectorRecurrentF32.rnnForward(pre, off, len, relu);
            else RecurrentF32.rnnForward(pre, off, len, relu);
        }

        void lstmForward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] hs, int hOff, int n, int h) {
            if (vector) VectorRecurrentF32.lstmForward(gates, gOff, cs, cPrevOff, cOff, hs, hOff, n, h);
            else RecurrentF32.lstmForward(gates, gOff, cs, cPrevOff, cOff, hs, hOff, n, h);
        }

        void lstmBackward(float[] gates, int gOff, float[] cs, int cPrevOff, int cOff, float[] dh, float[] dc, float[] dPre, int dOff, int n, int h) {
            if (vector) VectorRecurrentF32.lstmBackward(gates, gOff, cs, cPrevOff, cOff, dh, dc, dPre, dOff, n, h);
            else RecurrentF32.lstmBackward(gates, gOff, cs, cPrevOff, cOff, dh, dc, dPre, dOff, n, h);
        }

        void gruBackward(float[] act, int aOff, float[] hn, int hnOff, float[] hs, int hPrevOff, float[] dh,
                         float[] dXi, float[] dHh, int dOff, float[] carry, int n, int h) {
            if (vector) VectorRecurrentF32.gruBackward(act, aOff, hn, hnOff, hs, hPrevOff, dh, dXi, dHh, dOff, carry, n, h);
            else RecurrentF32.gruBackward(act, aOff, hn, hnOff, hs, hPrevOff, dh, dXi, dHh, dOff, carry, n, h);
        }

        void gruForward(float[] xi, int xOff, float[] hh, float[] hn, int hnOff, float[] hs, int hPrevOff, int hOff, int n, int h) {
            if (vector) VectorRecurrentF32.gruForward(xi, xOff, hh, hn, hnOff, hs, hPrevOff, hOff, n, h);
            else RecurrentF32.gruForward(xi, xOff, hh, hn, hnOff, hs, hPrevOff, hOff, n, h);
        }
    }

    static final Impl JAVA = new Impl("java", false), VECTOR = new Impl("vector", true);
    static final Impl[] BOTH = {JAVA, VECTOR};

    @Test
    void summarizeAgreesWithADirectCountInEveryKernel() {
        Random r = new Random(9);
        int m = VectorStatisticsF32.SUMMARIZE_MIN;    // below it the vector kernel runs the scalar loop
        for (int n : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 1000, m - 1, m, m + 1, m + 15, 3 * m + 7}) {
            float[] a = new float[n + 3];
            for (int i = 0; i < a.length; i++) {
                int kind = r.nextInt(10);
                a[i] = kind == 0 ? 0f : kind == 1 ? -0f : kind == 2 ? Float.MIN_VALUE * (r.nextInt(200) - 100)
                        : (float) (r.nextGaussian() * Math.pow(2, r.nextInt(40) - 20));
            }
            int from = 3, to = n + 3;
            long[] want = new long[Summary.SLOTS];
            double shift = n > 0 ? a[from] : 0, s1 = 0, s2 = 0, mx = 0, p1 = 0, p2 = 0, pm = 0, abs1 = 0;
            for (int i = from; i < to; i++) {
                int b = Float.floatToRawIntBits(a[i]);
                want[a[i] == 0 ? 512 : (b >>> 31) * 256 + ((b >>> 23) & 0xFF)]++;
                s1 += a[i] - shift;
                s2 += (a[i] - shift) * (a[i] - shift);
                abs1 += Math.abs(a[i] - shift);
                mx = Math.max(mx, Math.abs(a[i]));
                double y = Math.max(a[i], 0);
                p1 += y;
                p2 += y * y;
                pm = Math.max(pm, y);
            }
            for (Impl k : BOTH) {
                for (boolean positives : new boolean[] {false, true}) {
                    Summary got = new Summary();
                    k.summarize(a, from, to, shift, positives, got);
                    String what = k.name() + " n=" + n + " positives=" + positives;
                    assertArrayEquals(want, got.counts, what);
                    assertEquals(s1, got.sum(), 1e-12 * Math.max(1, abs1), what);
                    assertEquals(s2, got.sumSquares(), 1e-12 * Math.max(1, s2), what);
                    assertEquals(mx, got.maxAbs(), 0.0, what);
                    if (positives) {
                        assertEquals(p1, got.reluSum(), 1e-12 * Math.max(1, p1), what);
                        assertEquals(p2, got.reluSumSquares(), 1e-12 * Math.max(1, p2), what);
                        assertEquals(pm, got.reluMax(), 0.0, what);
                    }
                }
            }
        }
        // NaN and Inf land in exponent 255 of their sign (the caller tells them apart)
        float[] special = new float[m];
        java.util.Arrays.fill(special, 1f);
        special[1] = Float.NaN;
        special[3] = Float.POSITIVE_INFINITY;
        special[9] = Float.NEGATIVE_INFINITY;
        special[m - 1] = Float.intBitsToFloat(0xFFC00000);    // a NaN with the sign bit, in the scalar tail
        for (boolean positives : new boolean[] {false, true}) {
            Summary got = new Summary();
            VECTOR.summarize(special, 0, special.length, 1f, positives, got);
            assertEquals(2, got.counts[255]);
            assertEquals(2, got.counts[511]);
            assertEquals(4, got.nonFinite());
        }
    }

    @Test
    void adamIsTheSameBitsOnEveryBackend() {
        // lengths around the vector width (tails of every size) and a long one, a range starting past the
        // first element; Adam (L2 weight decay) and AdamW (decay), several steps so m and v build up
        Random r = new Random(22);
        for (int n : new int[] {0, 1, 3, 4, 5, 7, 8, 9, 1001}) {
            for (boolean adamW : new boolean[] {false, true}) {
                int from = 3, to = from + n;
                float[][] p = new float[2][to + 2];
                double[][] m = new double[2][to + 2], v = new double[2][to + 2];
                for (int i = 0; i < to + 2; i++) p[0][i] = p[1][i] = (float) r.nextGaussian();
                for (int step = 1; step <= 3; step++) {
                    float[] g = new float[to + 2];
                    for (int i = 0; i < g.length; i++) g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
                    double bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, step)), stepSize = 0.01 / (1 - Math.pow(0.9, step));
                    Impl[] ks = BOTH;
                    for (int b = 0; b < 2; b++) {
                        ks[b].adam(p[b], g, m[b], v[b], from, to, adamW ? 0.999 : 1, adamW ? 0 : 0.1, 0.9, 0.999, bc2Sqrt, stepSize, 1e-8);
                    }
                    for (int i = 0; i < to + 2; i++) {
                        String what = (adamW ? "adamw" : "adam") + " n=" + n + " step " + step + " element " + i;
                        assertEquals(Float.floatToIntBits(p[0][i]), Float.floatToIntBits(p[1][i]), what);
                        assertEquals(Double.doubleToRawLongBits(m[0][i]), Double.doubleToRawLongBits(m[1][i]), what);
                        assertEquals(Double.doubleToRawLongBits(v[0][i]), Double.doubleToRawLongBits(v[1][i]), what);
                        if (i < from || i >= to) assertEquals(0.0, m[1][i], what + ": outside the range, untouched");
                    }
                }
            }
        }
    }

    @Test
    void rmsPropIsTheSameBitsOnEveryBackend() {
        // every variant (centered or not, momentum or not, weight decay or not) over ranges with tails of
        // every size past the first element, several steps so the state builds up
        Random r = new Random(23);
        for (int n : new int[] {0, 1, 7, 8, 9, 15, 17, 1001}) {
            for (int variant = 0; variant < 8; variant++) {
                boolean centered = (variant & 1) != 0, momentum = (variant & 2) != 0, decay = (variant & 4) != 0;
                int from = 3, to = from + n, len = to + 2;
                float[][] p = new float[2][len];
                double[][] v = new double[2][len], mean = new double[2][len], buf = new double[2][len];
                for (int i = 0; i < len; i++) p[0][i] = p[1][i] = (float) r.nextGaussian();
                for (int step = 1; step <= 3; step++) {
                    float[] g = new float[len];
                    for (int i = 0; i < len; i++) g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
                    Impl[] ks = BOTH;
                    for (int b = 0; b < 2; b++) {
                        ks[b].rmsProp(p[b], g, v[b], centered ? mean[b] : null, momentum ? buf[b] : null, from, to,
                                decay ? 0.05 : 0, 0.99, 1e-8, 0.9, 0.01);
                    }
                    for (int i = 0; i < len; i++) {
                        String what = "variant " + variant + " n=" + n + " step " + step + " element " + i;
                        assertEquals(Float.floatToIntBits(p[0][i]), Float.floatToIntBits(p[1][i]), what);
                        assertEquals(Double.doubleToRawLongBits(v[0][i]), Double.doubleToRawLongBits(v[1][i]), what);
                        assertEquals(Double.doubleToRawLongBits(mean[0][i]), Double.doubleToRawLongBits(mean[1][i]), what);
                        assertEquals(Double.doubleToRawLongBits(buf[0][i]), Double.doubleToRawLongBits(buf[1][i]), what);
                        if (i < from || i >= to) assertEquals(0.0, v[1][i], what + ": outside the range, untouched");
                    }
                }
            }
        }
    }

    @Test
    void squaredDistanceIsTheSumOfSquaredDifferences() {
        // lengths around the vector widths (tails of every size) and a long one; values of mixed scale,
        // so a dropped or doubled element shows far above the rounding of the sum
        Random r = new Random(21);
        for (int n : new int[] {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 1001}) {
            float[] a = new float[n], b = new float[n];
            double[] ad = new double[n], bd = new double[n];
            double want = 0;
            for (int i = 0; i < n; i++) {
                a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(4)));
                b[i] = (float) (a[i] + r.nextGaussian() * 0.01);
                ad[i] = a[i];
                bd[i] = b[i];
                want += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            }
            for (Impl k : BOTH) {
                String what = k.name() + " n=" + n;
                assertEquals(want, k.squaredDistance(a, b, n), 1e-12 * want, what);
                assertEquals(want, k.squaredDistance(ad, bd, n), 1e-12 * want, what + " float64");
            }
        }
    }

    @Test
    void maxIntoIsMathMaxElementwise() {
        float[] a = {9, 1, -1, Float.NaN, 0f, -0f, 3, Float.NEGATIVE_INFINITY, 5, 6, 7, 8, -9, 10, 11, 12, 13, 14, 2, Float.POSITIVE_INFINITY};
        float[] acc0 = new float[a.length - 1];
        for (int i = 0; i < acc0.length; i++) acc0[i] = (i % 3 == 0) ? Float.NaN : (i % 3 == 1) ? -0f : i - 8;
        for (Impl k : BOTH) {
            // the running maxima sit at offset 2 of their array; the two before must stay as they are
            float[] acc = new float[acc0.length + 2];
            acc[0] = acc[1] = 77f;
            System.arraycopy(acc0, 0, acc, 2, acc0.length);
            k.maxInto(acc, 2, a, 1, acc0.length);
            double[] accD = new double[acc.length], ad = new double[a.length];
            accD[0] = accD[1] = 77.0;
            for (int i = 0; i < acc0.length; i++) accD[i + 2] = acc0[i];
            for (int i = 0; i < a.length; i++) ad[i] = a[i];
            k.maxInto(accD, 2, ad, 1, acc0.length);
            assertEquals(77f, acc[0]);
            assertEquals(77f, acc[1]);
            assertEquals(77.0, accD[1]);
            for (int i = 0; i < acc0.length; i++) {
                float want = Math.max(acc0[i], a[i + 1]);
                String what = k.name() + " at " + i;
                assertEquals(Float.isNaN(want), Float.isNaN(acc[i + 2]), what);
                assertEquals(want > 0, acc[i + 2] > 0, what);
                if (!Float.isNaN(want)) assertEquals(want, acc[i + 2], 0f, what);
                assertEquals((double) want, accD[i + 2], 0.0, what + " float64");
            }
        }
    }

    @Test
    void unfoldAndFoldAgreeBetweenTheKernels() {
        // shapes (c, h, w, k, stride, pad): the vector path (stride 1, no padding, rows of at least a
        // vector) with rows of exactly one and two vectors and in between, and the fallbacks
        int[][] shapes = {{3, 13, 13, 3, 1, 0}, {2, 10, 10, 3, 1, 0}, {1, 18, 18, 3, 1, 0}, {4, 26, 17, 2, 1, 0}, {2, 9, 9, 3, 1, 1},
            {2, 11, 11, 3, 2, 0}, {1, 6, 6, 3, 1, 0}, {5, 28, 28, 5, 1, 0}};
        Random r = new Random(21);
        for (int[] sh : shapes) {
            int c = sh[0], h = sh[1], w = sh[2], k = sh[3], stride = sh[4], pad = sh[5];
            int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1, p = oh * ow, n = 3, ld = n * p + 5;
            float[] x = new float[n * c * h * w + 7];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
            float[] cols = new float[c * k * k * ld];
            for (int i = 0; i < cols.length; i++) cols[i] = r.nextFloat() - 0.5f;
            String what = java.util.Arrays.toString(sh);
            float[] want = new float[cols.length], got = new float[cols.length];
            java.util.Arrays.fill(want, 9f);
            java.util.Arrays.fill(got, 9f);
            float[] dxWant = new float[x.length], dxGot = new float[x.length];
            for (int i = 0; i < x.length; i++) dxWant[i] = dxGot[i] = i % 5;
            for (int img = 0; img < n; img++) {
                JAVA.im2col(x, 7 + img * c * h * w, c, h, w, k, k, stride, pad, oh, ow, want, img * p, ld);
                VECTOR.im2col(x, 7 + img * c * h * w, c, h, w, k, k, stride, pad, oh, ow, got, img * p, ld);
                JAVA.col2im(cols, img * p, ld, c, h, w, k, k, stride, pad, oh, ow, dxWant, 7 + img * c * h * w);
                VECTOR.col2im(cols, img * p, ld, c, h, w, k, k, stride, pad, oh, ow, dxGot, 7 + img * c * h * w);
            }
            assertArrayEquals(want, got, "im2col " + what);
            assertArrayEquals(dxWant, dxGot, "col2im " + what);
        }
    }

    @Test
    void shortProductAndItsWeightGradientMatchADirectSumInEveryKernel() {
        // (m, p, k): rows in fours and a remainder, columns in vectors and a remainder, k below, at and
        // above a block of four; the unfolded block sits at an offset inside a wider matrix (ld > p)
        int[][] shapes = {{32, 676, 9}, {32, 1024, 27}, {5, 13, 3}, {7, 8, 4}, {1, 1, 1}, {6, 121, 32}, {3, 7, 5}};
        Random r = new Random(31);
        for (int[] sh : shapes) {
            int m = sh[0], p = sh[1], k = sh[2], ld = 2 * p + 3, colsOff = p + 1, gOff = 5, yOff = 2;
            double[] w = new double[m * k], bias = new double[m], cols = new double[k * ld], g = new double[gOff + m * p];
            for (double[] a : new double[][] {w, bias, cols, g}) for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
            double[] y = new double[yOff + m * p], gw = new double[m * k], gb = new double[m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < p; j++) {
                    double acc = bias[i];
                    for (int t = 0; t < k; t++) acc += w[i * k + t] * cols[colsOff + t * ld + j];
                    y[yOff + i * p + j] = acc;
                    gb[i] += g[gOff + i * p + j];
                }
                for (int t = 0; t < k; t++) for (int j = 0; j < p; j++) gw[i * k + t] += g[gOff + i * p + j] * cols[colsOff + t * ld + j];
            }
            String what = java.util.Arrays.toString(sh);
            for (Impl kern : BOTH) {
                String who = kern.name() + " " + what;
                float[] yf = new float[y.length], gwf = new float[m * k], gbf = new float[m];
                java.util.Arrays.fill(yf, 7f);
                kern.shortProduct(m, p, k, f(w), f(bias), f(cols), colsOff, ld, yf, yOff);
                kern.shortWeightGrad(m, p, k, f(g), gOff, f(cols), colsOff, ld, gwf, 0, gbf, 0);
                assertEquals(7f, yf[0], who + ": wrote before its offset");
                // float32 sums of k (or p) products of N(0,1) values: rounding grows about as √terms
                assertClose(tail(y, yOff), d(tail(yf, yOff)), 2e-6 * Math.sqrt(k + 1), "shortProduct float " + who);
                assertClose(gw, d(gwf), 2e-6 * Math.sqrt(p), "shortWeightGrad float " + who);
                assertClose(gb, d(gbf), 2e-6 * Math.sqrt(p), "bias gradient float " + who);
                double[] yd = new double[y.length], gwd = new double[m * k];
                kern.shortProduct(m, p, k, w, null, cols, colsOff, ld, yd, yOff);
                kern.shortWeightGrad(m, p, k, g, gOff, cols, colsOff, ld, gwd, 0, null, 0);
                for (int i = 0; i < m; i++) for (int j = 0; j < p; j++) yd[yOff + i * p + j] += bias[i];
                assertClose(tail(y, yOff), tail(yd, yOff), 1e-12 * Math.sqrt(k + 1), "shortProduct double without bias " + who);
                assertClose(gw, gwd, 1e-12 * Math.sqrt(p), "shortWeightGrad double " + who);
            }
        }
    }

    private static float[] f(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
        return out;
    }

    private static double[] tail(double[] a, int from) {
        return java.util.Arrays.copyOfRange(a, from, a.length);
    }

    private static float[] tail(float[] a, int from) {
        return java.util.Arrays.copyOfRange(a, from, a.length);
    }

    private static double[] d(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    @Test
    void reluBackwardPassesGradientOnlyWherePositive() {
        float[] x = {1, -1, 0, -0f, Float.NaN, 2, 3, -4, 5, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, 7};
        float[] g = new float[x.length];
        for (int i = 0; i < g.length; i++) g[i] = i + 1;
        for (Impl k : BOTH) {
            float[] out = new float[x.length];
            java.util.Arrays.fill(out, Float.NaN);
            k.reluBackward(x, g, 1, x.length, out, 1);
            assertTrue(Float.isNaN(out[0]), "outside the range untouched");
            for (int i = 1; i < x.length; i++) assertEquals(x[i] > 0 ? g[i] : 0f, out[i], k.name() + " at " + i);
            // into a buffer of its own: values 3.. to the start
            float[] buf = new float[x.length];
            k.reluBackward(x, g, 3, x.length, buf, 0);
            for (int i = 3; i < x.length; i++) assertEquals(x[i] > 0 ? g[i] : 0f, buf[i - 3], k.name() + " buffer at " + i);
            double[] xd = new double[x.length], gd = new double[x.length], od = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i];
                gd[i] = g[i];
            }
            k.reluBackward(xd, gd, 0, x.length, od, 0);
            for (int i = 0; i < x.length; i++) assertEquals(xd[i] > 0 ? gd[i] : 0.0, od[i], k.name() + " float64 at " + i);
        }
    }

    @Test
    void maxPoolTwoByTwoTakesTheFirstMaximumAndTheFirstNaN() {
        // windows with ties, a NaN after a larger number, two NaNs, -0 before +0, Inf, and plain numbers
        float[][] windows = {{1, 1, 1, 1}, {2, 5, 5, 1}, {9, Float.NaN, 1, 2}, {1, 2, Float.NaN, Float.NaN}, {-0f, 0f, -1, -2},
            {0f, -0f, -1, -2}, {1, Float.POSITIVE_INFINITY, 3, Float.POSITIVE_INFINITY}, {-3, -2, -1, -4}, {4, 3, 2, 1}};
        int ow = windows.length, w = 2 * ow, h = 2;
        float[] x = new float[h * w];
        for (int j = 0; j < ow; j++) {
            x[2 * j] = windows[j][0];
            x[2 * j + 1] = windows[j][1];
            x[w + 2 * j] = windows[j][2];
            x[w + 2 * j + 1] = windows[j][3];
        }
        for (Impl k : BOTH) {
            float[] out = new float[ow];
            int[] arg = new int[ow];
            k.maxPool2d(x, 1, h, w, 2, 2, 1, ow, out, arg);
            for (int j = 0; j < ow; j++) {
                // PyTorch's rule: a value wins when it is larger, or NaN over a number
                int[] idx = {2 * j, 2 * j + 1, w + 2 * j, w + 2 * j + 1};
                int best = idx[0];
                for (int t = 1; t < 4; t++) {
                    float v = x[idx[t]], bv = x[best];
                    if (v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) best = idx[t];
                }
                assertEquals(best, arg[j], "window " + j + " " + java.util.Arrays.toString(windows[j]));
                assertEquals(Float.floatToRawIntBits(x[best]), Float.floatToRawIntBits(out[j]), "value of window " + j);
            }
        }
    }

    @Test
    void allFiniteFindsOneNaNOrInfAnywhere() {
        for (Impl k : BOTH) {
            for (int n : new int[] {1, 7, 33, 100}) {
                float[] f = new float[n];
                double[] d = new double[n];
                for (int i = 0; i < n; i++) d[i] = f[i] = (i % 3 == 0 ? -3e38f : 1e-40f * i);
                assertTrue(k.allFinite(f, 0, n) && k.allFinite(d, 0, n), "finite extremes, n=" + n);
                for (int at = 0; at < n; at++) {
                    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                        float[] fb = f.clone();
                        double[] db = d.clone();
                        fb[at] = (float) bad;
                        db[at] = bad;
                        if (k.allFinite(fb, 0, n) || k.allFinite(db, 0, n)) fail(k.name() + " missed " + bad + " at " + at + " of " + n);
                        if (at > 0 && !k.allFinite(fb, 0, at)) fail("a range that stops before the bad value must pass");
                    }
                }
            }
        }
    }

    @Test
    void vectorAccumulateGivesThePlainLoopsBits() {
        Random rnd = new Random(8);
        for (int n : new int[] {1, 7, 16, 37, 512}) {
            float[] a = preActivations(rnd, 3 + 4 * n);
            double[] want = new double[n], got = new double[n];
            for (int r = 0; r < 4; r++) {
                ElementwiseF32.accumulate(a, 3 + r * n, want, n);
                VectorStatisticsF32.accumulate(a, 3 + r * n, got, n);
            }
            assertArrayEquals(want, got, "n=" + n);
        }
    }

    /** Pre-activations: mostly moderate, with saturating, huge, infinite and NaN values scattered in. */
    static float[] preActivations(Random rnd, int len) {
        float[] special = {0f, -0f, 20f, -20f, 100f, -100f, 1e30f, -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f};
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = rnd.nextInt(10) == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextGaussian() * 3);
        return a;
    }

    static float[] gaussian(Random rnd, int len, double scale) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    /** The vector kernel's values within float32 accuracy of the plain loop's (same NaNs, same infinities). */
    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            float w = want[i], g = got[i];
            if (Float.isNaN(w) || Float.isInfinite(w)) {
                assertEquals(w, g, what + " at " + i);
                continue;
            }
            assertTrue(Math.abs(w - g) <= 1e-6 + 1e-5 * Math.abs(w), what + " at " + i + ": plain " + w + ", vector " + g);
        }
    }

    static Stream<Arguments> recurrentShapes() {
        // hidden sizes: a multiple of every vector length, shorter than one, and a multiple plus a tail
        return Stream.of(Arguments.of(32, 128), Arguments.of(3, 5), Arguments.of(4, 37), Arguments.of(1, 64));
    }

    @ParameterizedTest(name = "n={0} h={1}")
    @MethodSource("recurrentShapes")
    void vectorRecurrentStepsMatchThePlainLoops(int n, int h) {
        Random rnd = new Random(31L * n + h);
        int off = 3;    // every array read at an offset
        // plain RNN, tanh and relu
        for (boolean relu : new boolean[] {false, true}) {
            float[] pre = preActivations(rnd, off + n * h);
            float[] want = pre.clone(), got = pre.clone();
            JAVA.rnnForward(want, off, n * h, relu);
            VECTOR.rnnForward(got, off, n * h, relu);
            assertClose(want, got, (relu ? "rnn_relu" : "rnn_tanh") + " forward");
        }
        // LSTM forward: gates at an offset, c_{t-1} and c_t, h_t
        float[] gates = preActivations(rnd, off + n * 4 * h);
        float[] cs = gaussian(rnd, off + 2 * n * h, 2), hs = gaussian(rnd, off + 2 * n * h, 1);
        float[] gw = gates.clone(), cw = cs.clone(), hw = hs.clone(), gg = gates.clone(), cg = cs.clone(), hg = hs.clone();
        JAVA.lstmForward(gw, off, cw, off, off + n * h, hw, off + n * h, n, h);
        VECTOR.lstmForward(gg, off, cg, off, off + n * h, hg, off + n * h, n, h);
        assertClose(gw, gg, "lstm gates");
        assertClose(cw, cg, "lstm c");
        assertClose(hw, hg, "lstm h");
        // LSTM backward from finite activations (the plain forward's on moderate inputs)
        float[] act = gaussian(rnd, off + n * 4 * h, 3);
        float[] cst = gaussian(rnd, off + 2 * n * h, 1);
        JAVA.lstmForward(act, off, cst, off, off + n * h, new float[off + 2 * n * h], off + n * h, n, h);
        float[] dh = gaussian(rnd, n * h, 1), dc = gaussian(rnd, n * h, 1);
        float[] dPreWant = new float[off + n * 4 * h], dPreGot = new float[off + n * 4 * h], dcWant = dc.clone(), dcGot = dc.clone();
        JAVA.lstmBackward(act, off, cst, off, off + n * h, dh, dcWant, dPreWant, off, n, h);
        VECTOR.lstmBackward(act, off, cst, off, off + n * h, dh, dcGot, dPreGot, off, n, h);
        assertClose(dPreWant, dPreGot, "lstm dPre");
        assertClose(dcWant, dcGot, "lstm dc");
        // GRU forward
        float[] xi = preActivations(rnd, off + n * 3 * h), hhs = preActivations(rnd, n * 3 * h), hsg = gaussian(rnd, off + 2 * n * h, 1);
        float[][] out = new float[2][];
        float[][] hnOut = new float[2][], hsOut = new float[2][];
        for (int v = 0; v < 2; v++) {
            float[] x = xi.clone(), hn = new float[off + n * h], hsv = hsg.clone();
            BOTH[v].gruForward(x, off, hhs, hn, off, hsv, off, off + n * h, n, h);
            out[v] = x;
            hnOut[v] = hn;
            hsOut[v] = hsv;
        }
        assertClose(out[0], out[1], "gru activations");
        assertClose(hnOut[0], hnOut[1], "gru hh_n");
        assertClose(hsOut[0], hsOut[1], "gru h");
        // GRU backward: no activation to compute, the same bits
        float[] dhg = gaussian(rnd, n * h, 1);
        float[][] dXi = new float[2][], dHh = new float[2][], carry = new float[2][];
        for (int v = 0; v < 2; v++) {
            dXi[v] = new float[off + n * 3 * h];
            dHh[v] = new float[off + n * 3 * h];
            carry[v] = new float[n * h];
            BOTH[v].gruBackward(out[0], off, hnOut[0], off, hsOut[0], off, dhg, dXi[v], dHh[v], off, carry[v], n, h);
        }
        assertArrayEquals(dXi[0], dXi[1], "gru dXi");
        assertArrayEquals(dHh[0], dHh[1], "gru dHh");
        assertArrayEquals(carry[0], carry[1], "gru carry");
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest(name = "{0} m={2} n={3} k={4} transA={5} transB={6}")
    @MethodSource("cases")
    void gemmMatchesTripleLoop(String name, Impl kernels, int m, int n, int k, boolean transA, boolean transB) {
        Random r = new Random(31L * m + 7L * n + k);
        int aOff = 3, bOff = 5, cOff = 2;
        double[] a = random(r, aOff + m * k), b = random(r, bOff + k * n), c0 = random(r, cOff + m * n + 4);
        double[] want = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    double bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    s += av * bv;
                }
                want[cOff + i * n + j] += s;
            }
        }
        for (int threads : new int[] {1, 3}) {
            Parallel.setThreads(threads);
            // float64, accumulating into C (entries outside the target range must stay untouched)
            double[] c = c0.clone();
            kernels.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, true);
            assertClose(want, c, 1e-12 * Math.sqrt(k), "float64 accumulate, threads " + threads);
            // float64, overwriting C: what was there (NaN here) must not leak into the result
            double[] cz = c0.clone();
            java.util.Arrays.fill(cz, cOff, cOff + m * n, Double.NaN);
            kernels.gemm(transA, transB, m, n, k, a, aOff, b, bOff, cz, cOff, false);
            for (int i = 0; i < m * n; i++) cz[cOff + i] += c0[cOff + i];
            assertClose(want, cz, 1e-12 * Math.sqrt(k), "float64 overwrite, threads " + threads);
            // float32
            float[] af = toFloat(a), bf = toFloat(b), cf = toFloat(c0);
            kernels.gemm(transA, transB, m, n, k, af, aOff, bf, bOff, cf, cOff, true);
            double[] cfd = new double[cf.length];
            for (int i = 0; i < cf.length; i++) cfd[i] = cf[i];
            assertClose(want, cfd, 2e-6 * Math.sqrt(k), "float32, threads " + threads);
        }
    }

    @ParameterizedTest(name = "{0} m={2} n={3} k={4} transA={5} transB={6}")
    @MethodSource("cases")
    void gemmDoesNotDependOnThreadCount(String name, Impl kernels, int m, int n, int k, boolean transA, boolean transB) {
        Random r = new Random(5L * m + n + 11L * k);
        float[] a = toFloat(random(r, m * k)), b = toFloat(random(r, k * n));
        float[] one = new float[m * n], many = new float[m * n];
        Parallel.setThreads(1);
        kernels.gemm(transA, transB, m, n, k, a, 0, b, 0, one, 0, false);
        Parallel.setThreads(3);
        kernels.gemm(transA, transB, m, n, k, a, 0, b, 0, many, 0, false);
        for (int i = 0; i < one.length; i++) {
            if (Float.floatToIntBits(one[i]) != Float.floatToIntBits(many[i])) {
                fail("element " + i + " differs between 1 and 3 threads: " + one[i] + " and " + many[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0} m={2} n={3} k={4} transA={5} transB={6}")
    @MethodSource("cases")
    void nanInOneRowOfAReachesExactlyThatRowOfC(String name, Impl kernels, int m, int n, int k, boolean transA, boolean transB) {
        Random r = new Random(3L * m + n + k);
        float[] a = toFloat(random(r, m * k)), b = toFloat(random(r, k * n)), c = new float[m * n];
        int row = m / 2, p = k - 1;
        a[transA ? p * m + row : row * k + p] = Float.NaN;
        kernels.gemm(transA, transB, m, n, k, a, 0, b, 0, c, 0, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if ((i == row) != Float.isNaN(c[i * n + j])) {
                    fail("C[" + i + "," + j + "] = " + c[i * n + j] + " with a NaN in row " + row + " of A");
                }
            }
        }
    }

    private static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]);
            if (!(err <= tol * Math.max(1, Math.abs(want[i])))) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (error " + err + ")");
            }
        }
    }

    private static double[] random(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
