package org.gradprobe.kernels;

// @generate-float64
/**
 * Elementwise kernels in plain loops, float32: activations and their gradients, the sums, copies and
 * scatters the ops need, the finite check and the optimizers' element loops. Each works on a range
 * [from, to) so callers can split it over the cores. {@link VectorElementwiseF32} speeds up some.
 */
final class ElementwiseF32 {
    private ElementwiseF32() {}

    /** y = max(x, 0) over [from, to): a NaN passes through and −0 becomes 0, as torch.relu. */
    static void relu(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f);
    }

    /**
     * out[outFrom + i − from] = g[i] where x[i] > 0, else 0, for i in [from, to): relu's backward (0 at the
     * kink and for NaN, as PyTorch), into the same places of out or into a buffer of its own.
     */
    static void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom) {
        for (int i = from, o = outFrom; i < to; i++, o++) out[o] = x[i] > 0 ? g[i] : 0f;
    }

    /** y[i] = f(x[i]), computed in double and rounded, over [from, to). */
    static void map(float[] x, float[] y, int from, int to, Kernels.Function f) {
        for (int i = from; i < to; i++) y[i] = (float) f.apply(x[i]);
    }

    /** out[i] = g[i]·f'(x[i], y[i]), computed in double and rounded, over [from, to). */
    static void mapBackward(float[] x, float[] y, float[] g, float[] out, int from, int to, Kernels.Derivative df) {
        for (int i = from; i < to; i++) out[i] = (float) (g[i] * df.apply(x[i], y[i]));
    }

    /** acc[i] += a[i] over [from, to). */
    static void addInto(float[] acc, float[] a, int from, int to) {
        for (int i = from; i < to; i++) acc[i] += a[i];
    }

    /** dst[dstOff + j] = src[srcOff + j] + v for j < n. */
    static void copyPlus(float[] src, int srcOff, float[] dst, int dstOff, int n, float v) {
        for (int j = 0; j < n; j++) dst[dstOff + j] = src[srcOff + j] + v;
    }

    /** dst[index[i]] += src[i] for i in [from, to): a gradient routed back to where each output came from. */
    static void scatterAdd(float[] src, int from, int to, int[] index, float[] dst) {
        for (int i = from; i < to; i++) dst[index[i]] += src[i];
    }

    /** Σ a[off, off + n) in double, four running sums for instruction-level parallelism. */
    static double sum(float[] a, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[off + j];
            s1 += a[off + j + 1];
            s2 += a[off + j + 2];
            s3 += a[off + j + 3];
        }
        for (; j < n; j++) s0 += a[off + j];
        return (s0 + s1) + (s2 + s3);
    }

    /** acc[j] += a[off + j] for j < n, in double. */
    static void accumulate(float[] a, int off, double[] acc, int n) {
        for (int j = 0; j < n; j++) acc[j] += a[off + j];
    }

    /**
     * acc[accOff + i] = max(acc[accOff + i], a[aOff + i]) for i in [0, n), as {@link Math#max} (a NaN
     * wins): the probe's running maximum of each unit over a batch.
     */
    static void maxInto(float[] acc, int accOff, float[] a, int aOff, int n) {
        for (int i = 0; i < n; i++) acc[accOff + i] = Math.max(acc[accOff + i], a[aOff + i]);
    }

    /** Whether a[from, to) holds no NaN and no Inf. */
    static boolean allFinite(float[] a, int from, int to) {
        // NaN·0 and Inf·0 are NaN, finite·0 is 0; eight running sums, so the adds do not wait on each other
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            s0 += a[i] * 0f;
            s1 += a[i + 1] * 0f;
            s2 += a[i + 2] * 0f;
            s3 += a[i + 3] * 0f;
            s4 += a[i + 4] * 0f;
            s5 += a[i + 5] * 0f;
            s6 += a[i + 6] * 0f;
            s7 += a[i + 7] * 0f;
        }
        for (; i < to; i++) s0 += a[i] * 0f;
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) == 0f;
    }

    /** p[i] = u(p[i], g[i], i), computed in double and rounded, over [from, to): an optimizer's update. */
    static void update(float[] p, float[] g, int from, int to, Kernels.Update u) {
        for (int i = from; i < to; i++) p[i] = (float) u.apply(p[i], g[i], i);
    }

    /**
     * SGD with momentum, PyTorch's rule with no weight decay, no Nesterov and a buffer already started:
     * buf ← momentum·buf + keep·g; p ← p − lr·buf, in double, rounded to p's type.
     */
    static void sgdMomentum(float[] p, float[] g, double[] buf, int from, int to, double momentum, double keep, double lr) {
        for (int i = from; i < to; i++) {
            double b = momentum * buf[i] + keep * g[i];
            buf[i] = b;
            p[i] = (float) (p[i] - lr * b);
        }
    }

    /** One Adam step over [from, to), as {@link OptimizerRules#adam}; m and v updated in place. */
    static void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
                     double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        for (int i = from; i < to; i++) p[i] = (float) OptimizerRules.adam(p[i], g[i], m, v, i, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    /** One RMSprop step over [from, to), as {@link OptimizerRules#rmsProp}; the state updated in place. */
    static void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                        double wd, double alpha, double eps, double momentum, double lr) {
        for (int i = from; i < to; i++) p[i] = (float) OptimizerRules.rmsProp(p[i], g[i], v, mean, buf, i, wd, alpha, eps, momentum, lr);
    }
}
