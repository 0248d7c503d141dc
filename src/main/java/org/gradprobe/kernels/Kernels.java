package org.gradprobe.kernels;

/**
 * The small internal interface every heavy op goes through. All arrays are row-major and dense;
 * offsets select a sub-matrix or one image of a batch. float32 and float64 methods are twins.
 */
public interface Kernels {

    /** The kernels in use: see {@link Backend} for how they are chosen. */
    static Kernels get() {
        return Backend.KERNELS;
    }

    /** A short description of the kernels in use, for provenance and benchmarks. */
    static String describe() {
        return Backend.DESCRIPTION;
    }

    /**
     * C (m×n) = op(A)·op(B), or C += op(A)·op(B) when {@code accumulate}. op(A) is m×k: A is stored
     * m×k, or k×m when {@code transA}. op(B) is k×n: B is stored k×n, or n×k when {@code transB}.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate);

    /**
     * Unfolds one image x[C,H,W] (at {@code xOff}) into a C*kh*kw × oh*ow block of cols for a convolution
     * with the given stride and zero padding: block element (r, j) is written at {@code colsOff + r·ld + j}
     * ({@code ld ≥ oh*ow}, so the images of a batch can sit side by side in one matrix).
     */
    void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff, int ld);

    void im2col(double[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] cols, int colsOff, int ld);

    /** The adjoint of im2col: adds the block of cols (same layout) back into dx[C,H,W] at {@code xOff}. */
    void col2im(float[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff);

    void col2im(double[] cols, int colsOff, int ld, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] dx, int xOff);

    /**
     * y[yOff + i·p + j] = bias[i] + Σ_r w[i·k + r]·cols[colsOff + r·ld + j] for i < m, j < p (no bias when
     * {@code bias} is null): one image's convolution from its unfolded block when the shared dimension k
     * (C·kh·kw) is short, written straight into the output's layout [m, p]. A general product would
     * pack operands and pad rows for so few multiply-adds per output.
     */
    void shortProduct(int m, int p, int k, float[] w, float[] bias, float[] cols, int colsOff, int ld, float[] y, int yOff);

    void shortProduct(int m, int p, int k, double[] w, double[] bias, double[] cols, int colsOff, int ld, double[] y, int yOff);

    /**
     * The partner of {@link #shortProduct} for the gradients, from one image's output gradient g [m, p]
     * at {@code gOff}: gw[gwOff + i·k + r] = Σ_j g[gOff + i·p + j]·cols[colsOff + r·ld + j], and, when
     * {@code gb} is not null, gb[gbOff + i] = Σ_j g[gOff + i·p + j]. Written, not added.
     */
    void shortWeightGrad(int m, int p, int k, float[] g, int gOff, float[] cols, int colsOff, int ld, float[] gw, int gwOff, float[] gb, int gbOff);

    void shortWeightGrad(int m, int p, int k, double[] g, int gOff, double[] cols, int colsOff, int ld, double[] gw, int gwOff, double[] gb, int gbOff);

    /**
     * Max pooling over planes: x[planes,h,w] into out[planes,oh,ow], writing the flat input index of
     * each maximum into {@code argmax} (the first maximum in row-major window order, as PyTorch; a NaN
     * wins over numbers so it propagates).
     */
    void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax);

    void maxPool2d(double[] x, int planes, int h, int w, int k, int stride, int oh, int ow, double[] out, int[] argmax);

    /** Slots of {@link #summarize}'s count array: sign bit and biased exponent (512), and exact zeros. */
    int SUMMARY_SLOTS = 513;

    /**
     * One statistics pass over a[from, to) (the probe's, see {@code probe.Stats}): adds to
     * {@code byExp[s * 256 + e]} the count of values with sign bit s and biased float32 exponent e (0:
     * subnormal, 255: NaN or Inf), except exact zeros of either sign, counted in {@code byExp[512]}; adds
     * Σ(v − shift) to sums[0] and Σ(v − shift)² to sums[1] (in double); raises sums[2] to max |v|. With
     * {@code positives}, also the moments of relu's output max(v, 0): Σ to sums[3], Σ² to sums[4], max
     * raised in sums[5]. NaN and Inf make the sums meaningless; the caller sees them in exponent 255 and
     * recomputes without them.
     */
    void summarize(float[] a, int from, int to, float shift, boolean positives, long[] byExp, double[] sums);

    /**
     * out[outFrom + i − from] = g[i] where x[i] > 0, else 0, for i in [from, to): relu's backward (0 at the
     * kink and for NaN, as PyTorch), into the same places of out or into a buffer of its own.
     */
    void reluBackward(float[] x, float[] g, int from, int to, float[] out, int outFrom);

    void reluBackward(double[] x, double[] g, int from, int to, double[] out, int outFrom);

    /**
     * acc[accOff + i] = max(acc[accOff + i], a[aOff + i]) for i in [0, n), as {@link Math#max} (a NaN
     * wins): the probe's running maximum of each unit over a batch.
     */
    void maxInto(float[] acc, int accOff, float[] a, int aOff, int n);

    void maxInto(double[] acc, int accOff, double[] a, int aOff, int n);

    /**
     * Σ (a[i] − b[i])² over [0, n), in double (the probe's update norm: the weights after an update
     * against a copy from before it). The order of the sums depends on n only.
     */
    double squaredDistance(float[] a, float[] b, int n);

    double squaredDistance(double[] a, double[] b, int n);

    /** Whether a[from, to) holds no NaN and no Inf (the probe asks this of every gradient and weight, every step). */
    boolean allFinite(float[] a, int from, int to);

    boolean allFinite(double[] a, int from, int to);

    /**
     * One Adam step over elements [from, to), in float64 as {@code optim.Adam} defines it: p ← p·decay
     * (AdamW's decoupled weight decay, else 1); g ← g + wd·p when wd ≠ 0 (Adam's L2); m ← m + (g − m)(1 − β₁);
     * v ← β₂v + (1 − β₂)g·g; p ← p − stepSize·m / (√v / bc2Sqrt + ε), rounded to p's dtype. m and v are
     * updated in place. Every backend gives the same bits.
     */
    void adam(float[] p, float[] g, double[] m, double[] v, int from, int to,
              double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps);

    void adam(double[] p, double[] g, double[] m, double[] v, int from, int to,
              double decay, double wd, double beta1, double beta2, double bc2Sqrt, double stepSize, double eps);

    /**
     * One RMSprop step over elements [from, to), in float64 as {@code optim.RmsProp} defines it:
     * g ← g + wd·p when wd ≠ 0; v ← αv + (1 − α)g·g; with {@code mean} (centered) ḡ ← ḡ + (g − ḡ)(1 − α)
     * and d ← √(v − ḡ·ḡ) + ε, else d ← √v + ε; with {@code buf} (momentum) b ← μb + g/d and p ← p − lr·b,
     * else p ← p − lr·g/d, rounded to p's dtype. v, mean and buf are updated in place (null: not used).
     * Every backend gives the same bits.
     */
    void rmsProp(float[] p, float[] g, double[] v, double[] mean, double[] buf, int from, int to,
                 double wd, double alpha, double eps, double momentum, double lr);

    void rmsProp(double[] p, double[] g, double[] v, double[] mean, double[] buf, int from, int to,
                 double wd, double alpha, double eps, double momentum, double lr);
}
