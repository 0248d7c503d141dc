package org.gradprobe.ops;

import org.gradprobe.autograd.Derivable;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.StepMemory;
import org.gradprobe.tensor.Tensor;

/**
 * Max and average pooling over x [N,C,H,W] with square window k and stride, no padding, floor mode
 * (PyTorch's defaults). Max pooling routes the gradient to the stored argmax (the first maximum of the
 * window, as PyTorch); average pooling spreads it evenly over the window.
 */
final class PoolOps {
    private PoolOps() {}

    private static int[] outShape(String op, Tensor x, int k, int stride) {
        Checks.rank(op, x, 4);
        if (k < 1 || stride < 1) throw new IllegalArgumentException(op + ": invalid kernel " + k + " or stride " + stride);
        int h = x.dim(2), w = x.dim(3);
        if (h < k || w < k) {
            throw new ShapeException(op + ": input " + Shapes.str(x.shape()) + " is smaller than the " + k + "x" + k + " window");
        }
        return new int[] {x.dim(0), x.dim(1), (h - k) / stride + 1, (w - k) / stride + 1};
    }

    static Tensor maxPool2d(Tensor x, int k, int stride) {
        int[] os = outShape("maxpool2d", x, k, stride);
        int planes = os[0] * os[1], h = x.dim(2), w = x.dim(3), oh = os[2], ow = os[3];
        Tensor y = Tensor.empty(x.dtype, os);
        int[] argmax = StepMemory.ints(y.numel(), false);
        Kernels.maxPool2d(x.data(), planes, h, w, k, stride, oh, ow, y.data(), argmax);
        // windows that do not overlap have distinct argmaxes: each input receives at most one output's gradient
        return Node.record("maxpool2d", stride >= k ? Derivable.ROUTES : Derivable.NONE, y, g -> {
            // each output's argmax lies in its own plane: planes are zeroed and routed in parallel, each
            // chunk zeroing its planes just before it adds into them (the seed CNN's first pool at batch 64:
            // 0.34-0.41 ms with the whole gradient zeroed on the calling thread first, 0.26-0.34 ms so)
            Tensor gx = Tensor.emptyLike(x);
            int perPlane = oh * ow, inPlane = h * w;
            Parallel.forChunks(planes, Math.max(1, Parallel.MIN_WORK / Math.max(1, inPlane)), (chunk, from, to) -> {
                gx.data().fill(from * inPlane, to * inPlane, 0.0);
                Kernels.scatterAdd(g.data(), from * perPlane, to * perPlane, argmax, gx.data());
            });
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor avgPool2d(Tensor x, int k, int stride) {
        int[] os = outShape("avgpool2d", x, k, stride);
        int planes = os[0] * os[1], h = x.dim(2), w = x.dim(3), oh = os[2], ow = os[3];
        double inv = 1.0 / (k * k);
        double[] xv = x.doubles();
        double[] yv = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double s = 0;
            for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) s += xv[(p * h + oy * stride + ky) * w + ox * stride + kx];
            yv[(p * oh + oy) * ow + ox] = s * inv;
        }
        return Node.record("avgpool2d", Tensor.of(x.dtype, os, yv), g -> {
            double[] gv = g.doubles();
            double[] gx = new double[x.numel()];
            for (int p = 0; p < planes; p++) for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
                double v = gv[(p * oh + oy) * ow + ox] * inv;
                for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) gx[(p * h + oy * stride + ky) * w + ox * stride + kx] += v;
            }
            return new Tensor[] {Tensor.of(x.dtype, x.shape(), gx)};
        }, x);
    }
}
