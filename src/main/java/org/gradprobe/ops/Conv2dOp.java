package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * 2-d convolution (PyTorch's cross-correlation) by im2col and matrix multiply:
 * x [N,C,H,W], w [O,C,kh,kw], b [O] → y [N,O,OH,OW], OH = (H + 2·pad − kh)/stride + 1.
 */
final class Conv2dOp {
    private Conv2dOp() {}

    /** Parts of the batch whose weight gradients are summed separately (fixed, so results do not depend on the thread count). */
    static final int REDUCTION_PARTS = 4;

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
        int ck = c * kh * kw, p = oh * ow, inPlane = c * h * wd, outPlane = o * p;
        Kernels k = Kernels.get();
        Tensor y = Tensor.zeros(x.dtype, n, o, oh, ow);
        // the unfolded input of every image is kept for the weight gradient
        Tensor cols = Tensor.zeros(x.dtype, n, ck, p);
        // images are independent: each chunk of the batch unfolds and multiplies its own
        Parallel.forChunks(n, (chunk, from, to) -> {
            for (int i = from; i < to; i++) {
                if (x.f != null) {
                    k.im2col(x.f, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, cols.f, i * ck * p);
                    k.gemm(false, false, o, p, ck, w.f, 0, cols.f, i * ck * p, y.f, i * outPlane, false);
                } else {
                    k.im2col(x.d, i * inPlane, c, h, wd, kh, kw, stride, pad, oh, ow, cols.d, i * ck * p);
                    k.gemm(false, false, o, p, ck, w.d, 0, cols.d, i * ck * p, y.d, i * outPlane, false);
                }
            }
        });
        if (b != null) {
            for (int i = 0; i < n; i++) for (int oc = 0; oc < o; oc++) {
                double bv = b.get(oc);
                int base = i * outPlane + oc * p;
                if (y.f != null) for (int j = 0; j < p; j++) y.f[base + j] += (float) bv;
                else for (int j = 0; j < p; j++) y.d[base + j] += bv;
            }
        }
        return Node.record("conv2d", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            if (w.requiresGrad()) {
                // the batch is cut into a fixed number of parts, each summing its weight gradient privately, and
                // the parts are added in order: the result does not depend on how many threads ran them
                int parts = Math.min(n, REDUCTION_PARTS);
                Tensor[] partial = new Tensor[parts];
                Parallel.forChunks(parts, (chunk, pFrom, pTo) -> {
                    for (int part = pFrom; part < pTo; part++) {
                        Tensor acc = Tensor.zerosLike(w);
                        for (int i = n * part / parts; i < n * (part + 1) / parts; i++) {
                            if (g.f != null) k.gemm(false, true, o, ck, p, g.f, i * outPlane, cols.f, i * ck * p, acc.f, 0, true);
                            else k.gemm(false, true, o, ck, p, g.d, i * outPlane, cols.d, i * ck * p, acc.d, 0, true);
                        }
                        partial[part] = acc;
                    }
                });
                gw = partial[0];
                for (int t = 1; t < partial.length; t++) gw.addInPlace(partial[t]);
            }
            if (x.requiresGrad()) {
                Tensor gxt = Tensor.zerosLike(x);
                Parallel.forChunks(n, (chunk, from, to) -> {
                    if (g.f != null) {
                        float[] dcols = new float[ck * p];
                        for (int i = from; i < to; i++) {
                            k.gemm(true, false, ck, p, o, w.f, 0, g.f, i * outPlane, dcols, 0, false);
                            k.col2im(dcols, 0, c, h, wd, kh, kw, stride, pad, oh, ow, gxt.f, i * inPlane);
                        }
                    } else {
                        double[] dcols = new double[ck * p];
                        for (int i = from; i < to; i++) {
                            k.gemm(true, false, ck, p, o, w.d, 0, g.d, i * outPlane, dcols, 0, false);
                            k.col2im(dcols, 0, c, h, wd, kh, kw, stride, pad, oh, ow, gxt.d, i * inPlane);
                        }
                    }
                });
                gx = gxt;
            }
            if (b != null && b.requiresGrad()) {
                double[] s = new double[o];
                for (int i = 0; i < n; i++) for (int oc = 0; oc < o; oc++) {
                    int base = i * outPlane + oc * p;
                    double acc = 0;
                    for (int j = 0; j < p; j++) acc += g.get(base + j);
                    s[oc] += acc;
                }
                gb = Tensor.of(x.dtype, new int[] {o}, s);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }
}
