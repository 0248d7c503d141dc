package org.gradprobe.ops;

import org.gradprobe.autograd.GradMode;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.kernels.Scratch;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/**
 * 2-d convolution (PyTorch's cross-correlation) by im2col and matrix multiply:
 * x [N,C,H,W], w [O,C,kh,kw], b [O] → y [N,O,OH,OW], OH = (H + 2·pad − kh)/stride + 1.
 */
final class Conv2dOp {
    private Conv2dOp() {}

    /**
     * Scratch slots (per thread): the product before it is rearranged (or, for a short shared
     * dimension, each image's weight-gradient share), the gradient in the product's layout (or each
     * image's bias-gradient share), one image's unfolded input gradient, the unfolded input when no
     * graph keeps it.
     */
    private static final int SCRATCH_PRODUCT = 0, SCRATCH_GRAD = 1, SCRATCH_COLS = 2, SCRATCH_UNFOLDED = 3;

    /**
     * Shared dimensions (C·kh·kw) up to this skip the general product: each image's output is written
     * from its unfolded block in place ({@link Kernels#shortProduct}), and its gradients read the output
     * gradient in place ({@link Kernels#shortWeightGrad}), with no rearranged copies (a first layer: 9 for
     * one channel and 3×3, 27 for three).
     */
    static final int SHORT_K = 32;

    static int outSize(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int pad) {
        Checks.rank("conv2d", x, 4);
        Checks.rank("conv2d weight", w, 4);
        Checks.sameDtype("conv2d", x, w);
        Checks.sameDtype("conv2d", x, b);
        if (stride < 1 || pad < 0) throw new IllegalArgumentException("conv2d: invalid stride " + stride + " or padding " + pad);
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        if (w.dim(1) != c) {
            throw new ShapeException("conv2d: input " + Shapes.str(x.shape()) + " has " + c + " channels, weight "
                    + Shapes.str(w.shape()) + " expects " + w.dim(1));
        }
        if (h + 2 * pad < kh || wd + 2 * pad < kw) {
            throw new ShapeException("conv2d: input " + Shapes.str(x.shape()) + " is smaller than kernel " + kh + "x" + kw
                    + " with padding " + pad);
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != o)) {
            throw new ShapeException("conv2d: bias " + Shapes.str(b.shape()) + " does not fit weight " + Shapes.str(w.shape()));
        }
        int oh = outSize(h, kh, stride, pad), ow = outSize(wd, kw, stride, pad);
        int ck = c * kh * kw, p = oh * ow, np = n * p, inPlane = c * h * wd, outPlane = o * p;
        Kernels k = Kernels.get();
        boolean f32 = x.f != null;
        // images a thread takes at least: small images (a gradient check's batch of two) stay on one thread
        int grain = Math.max(1, Parallel.MIN_WORK / Math.max(1, ck * p));
        // the whole batch unfolded side by side, cols[ck, n·p] (image i in columns i·p ..): one large
        // multiply instead of n small ones. Kept for the weight gradient when a graph is recorded; without
        // one (evaluation, the numeric side of a gradient check) a scratch array serves.
        boolean graph = GradMode.isEnabled() && (x.requiresGrad() || w.requiresGrad() || b != null && b.requiresGrad());
        float[] colsF = !f32 ? null : graph ? StepMemory.floats(ck * np, false) : Scratch.floats(SCRATCH_UNFOLDED, ck * np);
        double[] colsD = f32 ? null : graph ? StepMemory.doubles(ck * np, false) : Scratch.doubles(SCRATCH_UNFOLDED, ck * np);
        if (ck <= SHORT_K) return shortConv(x, w, b, stride, pad, oh, ow, colsF, colsD);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                if (f32) k.im2col(x.f, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, colsF, i * p, np);
                else k.im2col(x.d, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, colsD, i * p, np);
            }
        });
        // prod[o, n·p] = W[o, ck]·cols, then y[i, o, :] = prod[o, i·p ..] + b[o]
        float[] prodF = f32 ? Scratch.floats(SCRATCH_PRODUCT, o * np) : null;
        double[] prodD = f32 ? null : Scratch.doubles(SCRATCH_PRODUCT, o * np);
        if (f32) k.gemm(false, false, o, np, ck, w.f, 0, colsF, 0, prodF, 0, false);
        else k.gemm(false, false, o, np, ck, w.d, 0, colsD, 0, prodD, 0, false);
        Tensor y = Tensor.empty(x.dtype, n, o, oh, ow);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) for (int oc = 0; oc < o; oc++) {
                int src = oc * np + i * p, dst = i * outPlane + oc * p;
                if (f32) {
                    float bv = b == null ? 0f : b.f[oc];
                    for (int j = 0; j < p; j++) y.f[dst + j] = prodF[src + j] + bv;
                } else {
                    double bv = b == null ? 0.0 : b.d[oc];
                    for (int j = 0; j < p; j++) y.d[dst + j] = prodD[src + j] + bv;
                }
            }
        });
        return Node.record("conv2d", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            // g2[o, n·p]: the incoming gradient in the layout of prod
            float[] g2f = f32 ? Scratch.floats(SCRATCH_GRAD, o * np) : null;
            double[] g2d = f32 ? null : Scratch.doubles(SCRATCH_GRAD, o * np);
            // and, on the way, each image's bias-gradient sums (added over the images in order below, so
            // the result does not depend on the threads)
            boolean biasGrad = b != null && b.requiresGrad();
            double[] imageSums = biasGrad ? new double[n * o] : null;
            Parallel.forChunks(n, grain, (chunk, from, to) -> {
                for (int i = from; i < to; i++) for (int oc = 0; oc < o; oc++) {
                    int src = i * outPlane + oc * p, dst = oc * np + i * p;
                    if (f32) System.arraycopy(g.f, src, g2f, dst, p);
                    else System.arraycopy(g.d, src, g2d, dst, p);
                    if (biasGrad) imageSums[i * o + oc] = f32 ? sum(g.f, src, p) : sum(g.d, src, p);
                }
            });
            if (w.requiresGrad()) {
                // gW = g2·colsᵀ: one product over the whole batch, summed in an order that does not depend on the threads
                gw = Tensor.zerosLike(w);
                if (f32) k.gemm(false, true, o, ck, np, g2f, 0, colsF, 0, gw.f, 0, true);    // into fresh zeros
                else k.gemm(false, true, o, ck, np, g2d, 0, colsD, 0, gw.d, 0, true);
            }
            if (x.requiresGrad()) gx = inputGrad(x, w, g, stride, pad, oh, ow);
            if (biasGrad) {
                double[] sums = new double[o];
                for (int i = 0; i < n; i++) for (int oc = 0; oc < o; oc++) sums[oc] += imageSums[i * o + oc];
                gb = Tensor.of(x.dtype, new int[] {o}, sums);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }

    /**
     * The convolution when its shared dimension is short (≤ {@link #SHORT_K}), image by image: unfold,
     * then write the output in its own layout; backward, each image's weight and bias gradients from the
     * output gradient where it lies, summed over the images in order (so the result does not depend on
     * the threads), and the input gradient through a small per-thread unfolded block.
     */
    private static Tensor shortConv(Tensor x, Tensor w, Tensor b, int stride, int pad, int oh, int ow, float[] colsF, double[] colsD) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int ck = c * kh * kw, p = oh * ow, np = n * p, inPlane = c * h * wd, outPlane = o * p;
        Kernels k = Kernels.get();
        boolean f32 = x.f != null;
        int grain = productGrain(outPlane, ck);
        Tensor y = Tensor.empty(x.dtype, n, o, oh, ow);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                if (f32) {
                    k.im2col(x.f, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, colsF, i * p, np);
                    k.shortProduct(o, p, ck, w.f, b == null ? null : b.f, colsF, i * p, np, y.f, i * outPlane);
                } else {
                    k.im2col(x.d, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, colsD, i * p, np);
                    k.shortProduct(o, p, ck, w.d, b == null ? null : b.d, colsD, i * p, np, y.d, i * outPlane);
                }
            }
        });
        return Node.record("conv2d", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            boolean weightGrad = w.requiresGrad(), biasGrad = b != null && b.requiresGrad();
            if (weightGrad || biasGrad) {
                // each image's share, then the sum over images in image order, in double
                int per = o * ck;
                float[] wPartsF = f32 ? Scratch.floats(SCRATCH_PRODUCT, n * per) : null;
                float[] bPartsF = f32 && biasGrad ? Scratch.floats(SCRATCH_GRAD, n * o) : null;
                double[] wPartsD = f32 ? null : Scratch.doubles(SCRATCH_PRODUCT, n * per);
                double[] bPartsD = f32 || !biasGrad ? null : Scratch.doubles(SCRATCH_GRAD, n * o);
                Parallel.forChunks(n, grain, (chunk, from, to) -> {
                    for (int i = from; i < to; i++) {
                        if (f32) k.shortWeightGrad(o, p, ck, g.f, i * outPlane, colsF, i * p, np, wPartsF, i * per, bPartsF, i * o);
                        else k.shortWeightGrad(o, p, ck, g.d, i * outPlane, colsD, i * p, np, wPartsD, i * per, bPartsD, i * o);
                    }
                });
                double[] wSums = new double[per], bSums = new double[o];
                for (int i = 0; i < n; i++) {
                    for (int t = 0; t < per; t++) wSums[t] += f32 ? wPartsF[i * per + t] : wPartsD[i * per + t];
                    if (biasGrad) for (int t = 0; t < o; t++) bSums[t] += f32 ? bPartsF[i * o + t] : bPartsD[i * o + t];
                }
                if (weightGrad) gw = Tensor.of(w.dtype, w.shape(), wSums);
                if (biasGrad) gb = Tensor.of(x.dtype, new int[] {o}, bSums);
            }
            if (x.requiresGrad()) gx = inputGrad(x, w, g, stride, pad, oh, ow);
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }

    /**
     * The input gradient, image by image: the unfolded gradient Wᵀ·g (g read where it lies), in a
     * per-thread block small enough to stay in cache, folded back at once.
     */
    private static Tensor inputGrad(Tensor x, Tensor w, Tensor g, int stride, int pad, int oh, int ow) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int ck = c * kh * kw, p = oh * ow, inPlane = c * h * wd, outPlane = o * p;
        Kernels k = Kernels.get();
        boolean f32 = x.f != null;
        int grain = productGrain(outPlane, ck);
        Tensor gx = Tensor.zerosLike(x);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            float[] dcF = f32 ? Scratch.floats(SCRATCH_COLS, ck * p) : null;
            double[] dcD = f32 ? null : Scratch.doubles(SCRATCH_COLS, ck * p);
            for (int i = from; i < to; i++) {
                if (f32) {
                    k.gemm(true, false, ck, p, o, w.f, 0, g.f, i * outPlane, dcF, 0, false);
                    k.col2im(dcF, 0, p, c, h, wd, kh, kw, stride, pad, oh, ow, gx.f, i * inPlane);
                } else {
                    k.gemm(true, false, ck, p, o, w.d, 0, g.d, i * outPlane, dcD, 0, false);
                    k.col2im(dcD, 0, p, c, h, wd, kh, kw, stride, pad, oh, ow, gx.d, i * inPlane);
                }
            }
        });
        return gx;
    }

    /** Images a thread takes at least when an image's work is ck multiply-adds for each of its outPlane outputs. */
    private static int productGrain(int outPlane, int ck) {
        return (int) Math.max(1, Parallel.MIN_MULTIPLY_ADDS / Math.max(1, (long) outPlane * ck));
    }

    /** Σ a[off, off+len) in double, four running sums for instruction-level parallelism. */
    private static double sum(float[] a, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += a[off + j];
            s1 += a[off + j + 1];
            s2 += a[off + j + 2];
            s3 += a[off + j + 3];
        }
        for (; j < len; j++) s0 += a[off + j];
        return (s0 + s1) + (s2 + s3);
    }

    private static double sum(double[] a, int off, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            s0 += a[off + j];
            s1 += a[off + j + 1];
            s2 += a[off + j + 2];
            s3 += a[off + j + 3];
        }
        for (; j < len; j++) s0 += a[off + j];
        return (s0 + s1) + (s2 + s3);
    }
}
