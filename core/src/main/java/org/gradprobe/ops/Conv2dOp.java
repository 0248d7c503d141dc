package org.gradprobe.ops;

import org.gradprobe.autograd.GradMode;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.kernels.Scratch;
import org.gradprobe.kernels.Storage;
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
        // images a thread takes at least: small images (a gradient check's batch of two) stay on one thread
        int grain = Math.max(1, Parallel.MIN_WORK / Math.max(1, ck * p));
        // the whole batch unfolded side by side, cols[ck, n·p] (image i in columns i·p ..): one large
        // multiply instead of n small ones. Kept for the weight gradient when a graph is recorded; without
        // one (evaluation, the numeric side of a gradient check) a scratch array serves.
        boolean graph = GradMode.isEnabled() && (x.requiresGrad() || w.requiresGrad() || b != null && b.requiresGrad());
        Storage cols = graph ? StepMemory.storage(x.dtype, ck * np, false) : Scratch.get(x.data(), SCRATCH_UNFOLDED, ck * np);
        if (ck <= SHORT_K) return shortConv(x, w, b, stride, pad, oh, ow, cols);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) Kernels.im2col(x.data(), i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, cols, i * p, np);
        });
        // prod[o, n·p] = W[o, ck]·cols, then y[i, o, :] = prod[o, i·p ..] + b[o]
        Storage prod = Scratch.get(x.data(), SCRATCH_PRODUCT, o * np);
        Kernels.gemm(false, false, o, np, ck, w.data(), 0, cols, 0, prod, 0, false);
        Tensor y = Tensor.empty(x.dtype, n, o, oh, ow);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) for (int oc = 0; oc < o; oc++) {
                Kernels.copyPlus(prod, oc * np + i * p, y.data(), i * outPlane + oc * p, p, b == null ? 0.0 : b.get(oc));
            }
        });
        return Node.record("conv2d", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            // g2[o, n·p]: the incoming gradient in the layout of prod
            Storage g2 = Scratch.get(x.data(), SCRATCH_GRAD, o * np);
            // and, on the way, each image's bias-gradient sums (added over the images in order below, so
            // the result does not depend on the threads)
            boolean biasGrad = b != null && b.requiresGrad();
            double[] imageSums = biasGrad ? new double[n * o] : null;
            Parallel.forChunks(n, grain, (chunk, from, to) -> {
                for (int i = from; i < to; i++) for (int oc = 0; oc < o; oc++) {
                    int src = i * outPlane + oc * p;
                    Kernels.copy(g.data(), src, g2, oc * np + i * p, p);
                    if (biasGrad) imageSums[i * o + oc] = Kernels.sum(g.data(), src, p);
                }
            });
            if (w.requiresGrad()) {
                // gW = g2·colsᵀ: one product over the whole batch, summed in an order that does not depend on the threads
                gw = Tensor.zerosLike(w);
                Kernels.gemm(false, true, o, ck, np, g2, 0, cols, 0, gw.data(), 0, true);    // into fresh zeros
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
    private static Tensor shortConv(Tensor x, Tensor w, Tensor b, int stride, int pad, int oh, int ow, Storage cols) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int ck = c * kh * kw, p = oh * ow, np = n * p, inPlane = c * h * wd, outPlane = o * p;
        int grain = productGrain(outPlane, ck);
        Tensor y = Tensor.empty(x.dtype, n, o, oh, ow);
        Storage bias = b == null ? null : b.data();
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                Kernels.im2col(x.data(), i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, cols, i * p, np);
                Kernels.shortProduct(o, p, ck, w.data(), bias, cols, i * p, np, y.data(), i * outPlane);
            }
        });
        return Node.record("conv2d", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            boolean weightGrad = w.requiresGrad(), biasGrad = b != null && b.requiresGrad();
            if (weightGrad || biasGrad) {
                // each image's share, then the sum over images in image order, in double
                int per = o * ck;
                Storage wParts = Scratch.get(x.data(), SCRATCH_PRODUCT, n * per);
                Storage bParts = biasGrad ? Scratch.get(x.data(), SCRATCH_GRAD, n * o) : null;
                Parallel.forChunks(n, grain, (chunk, from, to) -> {
                    for (int i = from; i < to; i++) Kernels.shortWeightGrad(o, p, ck, g.data(), i * outPlane, cols, i * p, np, wParts, i * per, bParts, i * o);
                });
                double[] wSums = new double[per], bSums = new double[o];
                for (int i = 0; i < n; i++) {
                    Kernels.accumulate(wParts, i * per, wSums, per);
                    if (biasGrad) Kernels.accumulate(bParts, i * o, bSums, o);
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
        int grain = productGrain(outPlane, ck);
        Tensor gx = Tensor.zerosLike(x);
        Parallel.forChunks(n, grain, (chunk, from, to) -> {
            Storage dc = Scratch.get(x.data(), SCRATCH_COLS, ck * p);
            for (int i = from; i < to; i++) {
                Kernels.gemm(true, false, ck, p, o, w.data(), 0, g.data(), i * outPlane, dc, 0, false);
                Kernels.col2im(dc, 0, p, c, h, wd, kh, kw, stride, pad, oh, ow, gx.data(), i * inPlane);
            }
        });
        return gx;
    }

    /** Images a thread takes at least when an image's work is ck multiply-adds for each of its outPlane outputs. */
    private static int productGrain(int outPlane, int ck) {
        return (int) Math.max(1, Parallel.MIN_MULTIPLY_ADDS / Math.max(1, (long) outPlane * ck));
    }

}
