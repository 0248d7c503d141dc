package org.gradprobe.ops;

import org.gradprobe.autograd.BackwardFn;
import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.kernels.Parallel;
import org.gradprobe.tensor.Tensor;

/**
 * Elementwise activations. Each entry is one line of forward, {@code y = f(x)}, beside one line of
 * backward, {@code dy/dx} from x and y. Derivatives at kinks follow PyTorch: relu'(0) = 0,
 * leaky_relu'(0) = slope.
 */
final class Unary {
    private Unary() {}

    interface Fn {
        double f(double x);

        double df(double x, double y);
    }

    static final Fn RELU = new Fn() {
        public double f(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }    // NaN passes through, as torch.relu
        public double df(double x, double y) { return x > 0 ? 1.0 : 0.0; }
    };

    static Fn leakyRelu(double slope) {
        return new Fn() {
            public double f(double x) { return x > 0 ? x : x * slope; }
            public double df(double x, double y) { return x > 0 ? 1.0 : slope; }
        };
    }

    static final Fn SIGMOID = new Fn() {
        public double f(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
        public double df(double x, double y) { return y * (1.0 - y); }
    };

    static final Fn TANH = new Fn() {
        public double f(double x) { return Math.tanh(x); }
        public double df(double x, double y) { return 1.0 - y * y; }
    };

    /** Exact GELU, x·Φ(x), PyTorch's default (approximate='none'). */
    static final Fn GELU = new Fn() {
        public double f(double x) { return x * Erf.normalCdf(x); }
        public double df(double x, double y) { return Erf.normalCdf(x) + x * Erf.normalPdf(x); }
    };

    static Tensor apply(String op, Fn fn, Tensor x) {
        Tensor y = Tensor.emptyLike(x);
        int n = x.numel();
        if (fn == RELU) return relu(x, y, n);
        if (x.f != null) {
            for (int i = 0; i < n; i++) y.f[i] = (float) fn.f(x.f[i]);
        } else {
            for (int i = 0; i < n; i++) y.d[i] = fn.f(x.d[i]);
        }
        return Node.record(op, y, g -> {
            Tensor gx = Tensor.emptyLike(x);
            if (x.f != null) {
                for (int i = 0; i < n; i++) gx.f[i] = (float) (g.f[i] * fn.df(x.f[i], y.f[i]));
            } else {
                for (int i = 0; i < n; i++) gx.d[i] = g.d[i] * fn.df(x.d[i], y.d[i]);
            }
            return new Tensor[] {gx};
        }, x);
    }


    /** relu with the loops written out: it is the hot activation, and a call per element would dominate it. */
    private static Tensor relu(Tensor x, Tensor y, int n) {
        Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> {
            if (x.f != null) {
                for (int i = from; i < to; i++) y.f[i] = Math.max(x.f[i], 0f);    // NaN passes through, -0 becomes 0
            } else {
                for (int i = from; i < to; i++) y.d[i] = Math.max(x.d[i], 0.0);
            }
        });
        // x > 0 exactly where y > 0 (a NaN passes through and fails both): a gate in the probe's sense
        return Node.record("relu", y, (BackwardFn.Gate) g -> {
            Tensor gx = Tensor.emptyLike(x);
            Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> {
                if (x.f != null) Kernels.get().reluBackward(x.f, g.f, from, to, gx.f, from);
                else Kernels.get().reluBackward(x.d, g.d, from, to, gx.d, from);
            });
            return new Tensor[] {gx};
        }, x);
    }
}
