package org.gradprobe.kernels;

/**
 * The kernels every op computes with, on {@link Storage}: the one place where the element type is
 * dispatched. Each method hands its arrays to the float32 or float64 implementation of its family
 * (products, convolution helpers, elementwise, statistics, optimizers), on the Vector API or in plain
 * loops as {@link Backend} chose once. The float32 implementations are written by hand; their float64
 * twins are generated from them at build time (src/build/GenerateFloat64.java), except where float64
 * keeps the plain loops on purpose (see each family's class).
 *
 * <p>All arrays are row-major and dense; offsets select a sub-matrix or one image of a batch. The
 * storages of one call must all be of the same element type.
 */
public final class Kernels {
    private Kernels() {}

    private static final boolean VECTOR = Backend.VECTOR;

    /** A short description of the kernels in use, for provenance and benchmarks. */
    public static String describe() {
        return Backend.DESCRIPTION;
    }

    /** An elementwise function, computed in double. */
    @FunctionalInterface
    public interface Function {
        double apply(double x);
    }

    /** The derivative of an elementwise function at x, where it gave y. */
    @FunctionalInterface
    public interface Derivative {
        double apply(double x, double y);
    }

    /** An optimizer's new value of element i of a weight p with gradient g (state at i updated). */
    @FunctionalInterface
    public interface Update {
        double apply(double p, double g, int i);
    }

    private static float[] f(Storage s) {
        if (s instanceof Storage.Floats fs) return fs.a();
        throw new IllegalArgumentException("float64 storage where float32 was expected (mixed element types in one kernel call)");
    }

    private static double[] d(Storage s) {
        if (s instanceof Storage.Doubles ds) return ds.a();
        throw new IllegalArgumentException("float32 storage where float64 was expected (mixed element types in one kernel call)");
    }

    // ---------------------------------------------------------------- products

    /**
     * C (m×n) = op(A)·op(B), or C += op(A)·op(B) when {@code accumulate}. op(A) is m×k: A is stored
     * m×k, or k×m when {@code transA}. op(B) is k×n: B is stored k×n, or n×k when {@code transB}.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            Storage a, int aOff, Storage b, int bOff, Storage c, int cOff, boolean accumulate) {
        if (c.isFloat32()) {
            if (VECTOR) VectorProductsF32.gemm(transA, transB, m, n, k, f(a), aOff, f(b), bOff, f(c), cOff, accumulate);
            else ProductsF32.gemm(transA, transB, m, n, k, f(a), aOff, f(b), bOff, f(c), cOff, accumulate);
        } else {
            if (VECTOR) VectorProductsF64.gemm(transA, transB, m, n, k, d(a), aOff, d(b), bOff, d(c), cOff, accumulate);
            else ProductsF64.gemm(transA, transB, m, n, k, d(a), aOff, d(b), bOff, d(c), cOff, accumulate);
        }
    }

    // ---------------------------------------------------------------- convolution helpers

    /**
     * Unfolds one image x[C,H,W] (at {@code xOff}) into a C*kh*kw × oh*ow block of cols for a convolution
     * with the given stride and zero padding: block element (r, j) is written at {@code colsOff + r·ld + j}
     * ({@code ld ≥ oh*ow}, so the images of a batch can sit side by side in one matrix).
     */
    public static void im2col(Storage x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow,
                              Storage cols, int colsOff, int ld) {
        if (!x.isFloat32()) ConvF64.im2col(d(x), xOff, c, h, w, kh, kw, stride, pad, oh, ow, d(cols), colsOff, ld);
        else if (VECTOR) VectorConvF32.im2col(f(x), xOff, c, h, w, kh, kw, stride, pad, oh, ow, f(cols), colsOff, ld);
        else ConvF32.im2col(f(x), xOff, c, h, w, kh, kw, stride, pad, oh, ow, f(cols), colsOff, ld);
    }

    /** The adjoint of im2col: adds the block of cols (same layout) back into dx[C,H,W] at {@code xOff}. */
    public static void col2im(Storage cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow,
                              Storage dx, int xOff) {
        if (!dx.isFloat32()) ConvF64.col2im(d(cols), colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, d(dx), xOff);
        else if (VECTOR) VectorConvF32.col2im(f(cols), colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, f(dx), xOff);
        else ConvF32.col2im(f(cols), colsOff, ld, c, h, w, kh, kw, stride, pad, oh, ow, f(dx), xOff);
    }

    /**
     * y[yOff + i·p + j] = bias[i] + Σ_r w[i·k + r]·cols[colsOff + r·ld + j] for i < m, j < p (no bias when
     * {@code bias} is null): one image's convolution from its unfolded block when the shared dimension k
     * (C·kh·kw) is short, written straight into the output's layout [m, p]. A general product would
     * pack operands and pad rows for so few multiply-adds per output.
     */
    public static void shortProduct(int m, int p, int k, Storage w, Storage bias, Storage cols, int colsOff, int ld, Storage y, int yOff) {
        if (!y.isFloat32()) ConvF64.shortProduct(m, p, k, d(w), bias == null ? null : d(bias), d(cols), colsOff, ld, d(y), yOff);
        else if (VECTOR) VectorConvF32.shortProduct(m, p, k, f(w), bias == null ? null : f(bias), f(cols), colsOff, ld, f(y), yOff);
        else ConvF32.shortProduct(m, p, k, f(w), bias == null ? null : f(bias), f(cols), colsOff, ld, f(y), yOff);
    }

    /**
     * The partner of {@link #shortProduct} for the gradients, from one image's output gradient g [m, p]
     * at {@code gOff}: gw[gwOff + i·k + r] = Σ_j g[gOff + i·p + j]·cols[colsOff + r·ld + j], and, when
     * {@code gb} is not null, gb[gbOff + i] = Σ_j g[gOff + i·p + j]. Written, not added.
     */
    public static void shortWeightGrad(int m, int p, int k, Storage g, int gOff, Storage cols, int colsOff, int ld,
                                       Storage gw, int gwOff, Storage gb, int gbOff) {
        if (!g.isFloat32()) ConvF64.shortWeightGrad(m, p, k, d(g), gOff, d(cols), colsOff, ld, d(gw), gwOff, gb == null ? null : d(gb), gbOff);
        else if (VECTOR) VectorConvF32.shortWeightGrad(m, p, k, f(g), gOff, f(cols), colsOff, ld, f(gw), gwOff, gb == null ? null : f(gb), gbOff);
        else ConvF32.shortWeightGrad(m, p, k, f(g), gOff, f(cols), colsOff, ld, f(gw), gwOff, gb == null ? null : f(gb), gbOff);
    }

    /**
     * Max pooling over planes: x[planes,h,w] into out[planes,oh,ow], writing the flat input index of
     * each maximum into {@code argmax} (the first maximum in row-major window order, as PyTorch; a NaN
     * wins over numbers so it propagates).
     */
    public static void maxPool2d(Storage x, int planes, int h, int w, int k, int stride, int oh, int ow, Storage out, int[] argmax) {
        if (x.isFloat32()) ConvF32.maxPool2d(f(x), planes, h, w, k, stride, oh, ow, f(out), argmax);
        else ConvF64.maxPool2d(d(x), planes, h, w, k, stride, oh, ow, d(out), argmax);
    }

    // ---------------------------------------------------------------- elementwise

    /** y = max(x, 0) over [from, to): a NaN passes through and −0 becomes 0, as torch.relu. */
    public static void relu(Storage x, Storage y, int from, int to) {
        if (x.isFloat32()) ElementwiseF32.relu(f(x), f(y), from, to);
        else ElementwiseF64.relu(d(x), d(y), from, to);
    }

    /**
     * out[outFrom + i − from] = g[i] where x[i] > 0, else 0, for i in [from, to): relu's backward (0 at the
     * kink and for NaN, as PyTorch), into the same places of out or into a buffer of its own.
     */
    public static void reluBackward(Storage x, Storage g, int from, int to, Storage out, int outFrom) {
        if (x.isFloat32()) {
            if (VECTOR) VectorElementwiseF32.reluBackward(f(x), f(g), from, to, f(out), outFrom);
            else ElementwiseF32.reluBackward(f(x), f(g), from, to, f(out), outFrom);
        } else {
            if (VECTOR) VectorElementwiseF64.reluBackward(d(x), d(g), from, to, d(out), outFrom);
            else ElementwiseF64.reluBackward(d(x), d(g), from, to, d(out), outFrom);
        }
    }

    /** y[i] = fn(x[i]) over [from, to), computed in double and rounded to the storage's type. */
    public static void map(Storage x, Storage y, int from, int to, Function fn) {
        if (x.isFloat32()) ElementwiseF32.map(f(x), f(y), from, to, fn);
        else ElementwiseF64.map(d(x), d(y), from, to, fn);
    }

    /** out[i] = g[i]·df(x[i], y[i]) over [from, to): an elementwise function's backward. */
    public static void mapBackward(Storage x, Storage y, Storage g, Storage out, int from, int to, Derivative df) {
        if (x.isFloat32()) ElementwiseF32.mapBackward(f(x), f(y), f(g), f(out), from, to, df);
        else ElementwiseF64.mapBackward(d(x), d(y), d(g), d(out), from, to, df);
    }

    /** acc[i] += a[i] over [from, to). */
    public static void addInto(Storage acc, Storage a, int from, int to) {
        if (acc.isFloat32()) ElementwiseF32.addInto(f(acc), f(a), from, to);
        else ElementwiseF64.addInto(d(acc), d(a), from, to);
    }

    /** dst[dstOff + j] = src[srcOff + j] + v for j < n (v rounded to the storage's type first). */
    public static void copyPlus(Storage src, int srcOff, Storage dst, int dstOff, int n, double v) {
        if (src.isFloat32()) ElementwiseF32.copyPlus(f(src), srcOff, f(dst), dstOff, n, (float) v);
        else ElementwiseF64.copyPlus(d(src), srcOff, d(dst), dstOff, n, v);
    }

    /** dst[dstOff + j] = src[srcOff + j] for j < n. */
    public static void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        if (src.isFloat32() != dst.isFloat32()) throw new IllegalArgumentException("copy between float32 and float64 storage");
        System.arraycopy(src.array(), srcOff, dst.array(), dstOff, n);
    }

    /** dst[index[i]] += src[i] for i in [from, to): a gradient routed back to where each output came from. */
    public static void scatterAdd(Storage src, int from, int to, int[] index, Storage dst) {
        if (src.isFloat32()) ElementwiseF32.scatterAdd(f(src), from, to, index, f(dst));
        else ElementwiseF64.scatterAdd(d(src), from, to, index, d(dst));
    }

    /** Σ a[off, off + n) in double; the order of the sums depends on n only. */
    public static double sum(Storage a, int off, int n) {
        return a.isFloat32() ? ElementwiseF32.sum(f(a), off, n) : ElementwiseF64.sum(d(a), off, n);
    }

    /** acc[j] += a[off + j] for j < n, in double. */
    public static void accumulate(Storage a, int off, double[] acc, int n) {
        if (!a.isFloat32()) ElementwiseF64.accumulate(d(a), off, acc, n);
        else if (VECTOR) VectorStatisticsF32.accumulate(f(a), off, acc, n);
        else ElementwiseF32.accumulate(f(a), off, acc, n);
    }

    /**
     * acc[accOff + i] = max(acc[accOff + i], a[aOff + i]) for i in [0, n), as {@link Math#max} (a NaN
     * wins): the probe's running maximum of each unit over a batch.
     */
    public static void maxInto(Storage acc, int accOff, Storage a, int aOff, int n) {
        if (acc.isFloat32()) {
            if (VECTOR) VectorElementwiseF32.maxInto(f(acc), accOff, f(a), aOff, n);
            else ElementwiseF32.maxInto(f(acc), accOff, f(a), aOff, n);
        } else {
            if (VECTOR) VectorElementwiseF64.maxInto(d(acc), accOff, d(a), aOff, n);
            else ElementwiseF64.maxInto(d(acc), accOff, d(a), aOff, n);
        }
    }

    /** Whether a[from, to) holds no NaN and no Inf (the probe asks this of every gradient and weight, every step). */
    public static boolean allFinite(Storage a, int from, int to) {
        if (a.isFloat32()) return VECTOR ? VectorElementwiseF32.allFinite(f(a), from, to) : ElementwiseF32.allFinite(f(a), from, to);
        return VECTOR ? VectorElementwiseF64.allFinite(d(a), from, to) : ElementwiseF64.allFinite(d(a), from, to);
    }

    // ---------------------------------------------------------------- statistics

    /**
     * One statistics pass over a[from, to) (the probe's): adds to {@code out} the values' counts by sign
     * and exponent, zeros and non-finite values, Σ(v − shift), Σ(v − shift)², max |v|; with {@code relu},
     * also the moments of max(v, 0). See {@link Summary}.
     */
    public static void summarize(Storage a, int from, int to, double shift, boolean relu, Summary out) {
        if (!a.isFloat32()) StatisticsF64.summarize(d(a), from, to, shift, relu, out);
        else if (VECTOR) VectorStatisticsF32.summarize(f(a), from, to, shift, relu, out);
        else StatisticsF32.summarize(f(a), from, to, shift, relu, out);
    }

    /**
     * Σ (a[i] − b[i])² over [0, n), in double (the probe's update norm: the weights after an update
     * against a copy from before it). The order of the sums depends on n only.
     */
    public static double squaredDistance(Storage a, Storage b, int n) {
        if (!a.isFloat32()) return StatisticsF64.squaredDistance(d(a), d(b), n);
        return VECTOR ? VectorStatisticsF32.squaredDistance(f(a), f(b), n) : StatisticsF32.squaredDistance(f(a), f(b), n);
    }

    // ---------------------------------------------------------------- optimizers

    /** p[i] = u(p[i], g[i], i) over [from, to), computed in double and rounded to p's type. */
    public static void update(Storage p, Storage g, int from, int to, Update u) {
        if (p.isFloat32()) ElementwiseF32.update(f(p), f(g), from, to, u);
        else ElementwiseF64.update(d(p), d(g), from, to, u);
    }

    /**
     * SGD with momentum (PyTorch's rule without weight decay or Nesterov, the buffer already started) over
     * [from, to): buf ← momentum·buf + keep·g; p ← p − lr·buf, in double, rounded to p's type.
     */
    public static void sgdMomentum(Storage p, Storage g, double[] buf, int from, int to, double momentum, double keep, double lr) {
        if (p.isFloat32()) ElementwiseF32.sgdMomentum(f(p), f(g), buf, from, to, momentum, keep, lr);
        else ElementwiseF64.sgdMomentum(d(p), d(g), buf, from, to, momentum, keep, lr);
    }

    /**
     * One Adam step over elements [from, to), in float64 as {@code optim.Adam} defines it (see
     * {@link OptimizerRules#adam}), rounded to p's type; m and v updated in place. Every path gives the same bits.
     */
    public static void adam(Storage p, Storage g, double[] m, double[] v, int from, int to,
                            double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps) {
        if (!p.isFloat32()) ElementwiseF64.adam(d(p), d(g), m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
        else if (VECTOR) VectorOptimizersF32.adam(f(p), f(g), m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
        else ElementwiseF32.adam(f(p), f(g), m, v, from, to, decay, wd, beta1, beta2, bc2Sqrt, stepSize, eps);
    }

    /**
     * One RMSprop step over elements [from, to), in float64 as {@code optim.RmsProp} defines it (see
     * {@link OptimizerRules#rmsProp}), rounded to p's type; v, mean and buf (null: not used) updated in place.
     */
    public static void rmsProp(Storage p, Storage g, double[] v, double[] mean, double[] buf, int from, int to,
                               double wd, double alpha, double eps, double momentum, double lr) {
        if (!p.isFloat32()) ElementwiseF64.rmsProp(d(p), d(g), v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
        else if (VECTOR) VectorOptimizersF32.rmsProp(f(p), f(g), v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
        else ElementwiseF32.rmsProp(f(p), f(g), v, mean, buf, from, to, wd, alpha, eps, momentum, lr);
    }

    // ---------------------------------------------------------------- recurrent steps (see RecurrentF32; VectorRecurrentF32 for float32 sigmoid and tanh)

    /** Plain RNN step, in place over [off, off + len): tanh, or relu when {@code relu}. */
    public static void rnnForward(Storage pre, int off, int len, boolean relu) {
        if (!pre.isFloat32()) RecurrentF64.rnnForward(d(pre), off, len, relu);
        else if (VECTOR) VectorRecurrentF32.rnnForward(f(pre), off, len, relu);
        else RecurrentF32.rnnForward(f(pre), off, len, relu);
    }

    /** Plain RNN step backward: dPre[dOff + i] = dh[i]·(1 − h²) (tanh) or dh[i]·[h &gt; 0] (relu), h at {@code hOff}. */
    public static void rnnBackward(Storage h, int hOff, Storage dh, Storage dPre, int dOff, int len, boolean relu) {
        if (h.isFloat32()) RecurrentF32.rnnBackward(f(h), hOff, f(dh), f(dPre), dOff, len, relu);
        else RecurrentF64.rnnBackward(d(h), hOff, d(dh), d(dPre), dOff, len, relu);
    }

    /** LSTM step: gates (i, f, g, o) pre-activations → activations in place; c_t and h_t written. */
    public static void lstmForward(Storage gates, int gOff, Storage cs, int cPrevOff, int cOff, Storage hs, int hOff, int n, int h) {
        if (!gates.isFloat32()) RecurrentF64.lstmForward(d(gates), gOff, d(cs), cPrevOff, cOff, d(hs), hOff, n, h);
        else if (VECTOR) VectorRecurrentF32.lstmForward(f(gates), gOff, f(cs), cPrevOff, cOff, f(hs), hOff, n, h);
        else RecurrentF32.lstmForward(f(gates), gOff, f(cs), cPrevOff, cOff, f(hs), hOff, n, h);
    }

    /** LSTM step backward: the gates' pre-activation gradient into dPre; dc carried from c_t to c_{t−1}. */
    public static void lstmBackward(Storage gates, int gOff, Storage cs, int cPrevOff, int cOff, Storage dh, Storage dc,
                                    Storage dPre, int dOff, int n, int h) {
        if (!gates.isFloat32()) RecurrentF64.lstmBackward(d(gates), gOff, d(cs), cPrevOff, cOff, d(dh), d(dc), d(dPre), dOff, n, h);
        else if (VECTOR) VectorRecurrentF32.lstmBackward(f(gates), gOff, f(cs), cPrevOff, cOff, f(dh), f(dc), f(dPre), dOff, n, h);
        else RecurrentF32.lstmBackward(f(gates), gOff, f(cs), cPrevOff, cOff, f(dh), f(dc), f(dPre), dOff, n, h);
    }

    /** GRU step: activations (r, z, n) replace xi, hh_n kept in hn, h_t written. */
    public static void gruForward(Storage xi, int xOff, Storage hh, Storage hn, int hnOff, Storage hs, int hPrevOff, int hOff, int n, int h) {
        if (!xi.isFloat32()) RecurrentF64.gruForward(d(xi), xOff, d(hh), d(hn), hnOff, d(hs), hPrevOff, hOff, n, h);
        else if (VECTOR) VectorRecurrentF32.gruForward(f(xi), xOff, f(hh), f(hn), hnOff, f(hs), hPrevOff, hOff, n, h);
        else RecurrentF32.gruForward(f(xi), xOff, f(hh), f(hn), hnOff, f(hs), hPrevOff, hOff, n, h);
    }

    /** GRU step backward: input-side and hidden-side pre-activation gradients, and dh·z into carry. */
    public static void gruBackward(Storage act, int aOff, Storage hn, int hnOff, Storage hs, int hPrevOff, Storage dh,
                                   Storage dXi, Storage dHh, int dOff, Storage carry, int n, int h) {
        if (!act.isFloat32()) RecurrentF64.gruBackward(d(act), aOff, d(hn), hnOff, d(hs), hPrevOff, d(dh), d(dXi), d(dHh), dOff, d(carry), n, h);
        else if (VECTOR) VectorRecurrentF32.gruBackward(f(act), aOff, f(hn), hnOff, f(hs), hPrevOff, f(dh), f(dXi), f(dHh), dOff, f(carry), n, h);
        else RecurrentF32.gruBackward(f(act), aOff, f(hn), hnOff, f(hs), hPrevOff, f(dh), f(dXi), f(dHh), dOff, f(carry), n, h);
    }

    /** dh = g[:, t] + carry for a batch-first g [n, steps, h]; returns Σ dh² in double. */
    public static double gradientAt(Storage g, int t, int steps, Storage carry, Storage dh, int n, int h) {
        return g.isFloat32() ? RecurrentF32.gradientAt(f(g), t, steps, f(carry), f(dh), n, h)
                : RecurrentF64.gradientAt(d(g), t, steps, d(carry), d(dh), n, h);
    }

    /** Reorders src [a, b, d] at srcOff into dst [b, a, d] at dstOff. */
    public static void swapLeading(Storage src, int srcOff, Storage dst, int dstOff, int a, int b, int d) {
        if (src.isFloat32()) RecurrentF32.swapLeading(f(src), srcOff, f(dst), dstOff, a, b, d);
        else RecurrentF64.swapLeading(d(src), srcOff, d(dst), dstOff, a, b, d);
    }
}
