package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * y[N,out] = x[N,in]·Wᵀ + b, with W [out,in] as in PyTorch; and the plain matmul it rests on. Every
 * product lands in a freshly zeroed tensor, so it accumulates (saving the kernel a pass that clears it).
 */
final class LinearOp {
    private LinearOp() {}

    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Checks.rank("linear", x, 2);
        Checks.rank("linear weight", w, 2);
        Checks.sameDtype("linear", x, w);
        Checks.sameDtype("linear", x, b);
        int n = x.dim(0), in = x.dim(1), out = w.dim(0);
        if (w.dim(1) != in) {
            throw new ShapeException("linear: input " + Shapes.str(x.shape()) + " does not fit weight " + Shapes.str(w.shape())
                    + " (expected " + w.dim(1) + " input features)");
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != out)) {
            throw new ShapeException("linear: bias " + Shapes.str(b.shape()) + " does not fit weight " + Shapes.str(w.shape()));
        }
        Tensor y = Tensor.zeros(x.dtype, n, out);
        if (b != null) for (int i = 0; i < n; i++) Kernels.copy(b.data(), 0, y.data(), i * out, out);
        Kernels.gemm(false, true, n, out, in, x.data(), 0, w.data(), 0, y.data(), 0, true);
        return Node.record("linear", y, g -> {
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.zerosLike(x);
                Kernels.gemm(false, false, n, in, out, g.data(), 0, w.data(), 0, gx.data(), 0, true);
            }
            if (w.requiresGrad()) {
                gw = Tensor.zerosLike(w);
                Kernels.gemm(true, false, out, in, n, g.data(), 0, x.data(), 0, gw.data(), 0, true);
            }
            if (b != null && b.requiresGrad()) gb = sumRows(g, n, out);
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Checks.rank("matmul", a, 2);
        Checks.rank("matmul", b, 2);
        Checks.sameDtype("matmul", a, b);
        int m = a.dim(0), kk = a.dim(1), n = b.dim(1);
        if (b.dim(0) != kk) {
            throw new ShapeException("cannot matmul " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        Tensor c = Tensor.zeros(a.dtype, m, n);
        Kernels.gemm(false, false, m, n, kk, a.data(), 0, b.data(), 0, c.data(), 0, true);
        return Node.record("matmul", c, g -> {
            Tensor ga = null, gb = null;
            if (a.requiresGrad()) {
                ga = Tensor.zerosLike(a);
                Kernels.gemm(false, true, m, kk, n, g.data(), 0, b.data(), 0, ga.data(), 0, true);
            }
            if (b.requiresGrad()) {
                gb = Tensor.zerosLike(b);
                Kernels.gemm(true, false, kk, n, m, a.data(), 0, g.data(), 0, gb.data(), 0, true);
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** Column sums of g[n, cols] (the bias gradient). */
    static Tensor sumRows(Tensor g, int n, int cols) {
        double[] s = new double[cols];
        for (int i = 0; i < n; i++) Kernels.accumulate(g.data(), i * cols, s, cols);
        return Tensor.of(g.dtype, new int[] {cols}, s);
    }
}
