package org.gradprobe.ops;

import org.gradprobe.autograd.Derivable;
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
        Kernels.map(x.data(), y.data(), 0, n, fn::f);
        return Node.record(op, y, g -> {
            Tensor gx = Tensor.emptyLike(x);
            Kernels.mapBackward(x.data(), y.data(), g.data(), gx.data(), 0, n, fn::df);
            return new Tensor[] {gx};
        }, x);
    }

    /** relu has kernels of its own: it is the hot activation, and a call per element would dominate it. */
    static Tensor relu(Tensor x) {
        Tensor y = Tensor.emptyLike(x);
        int n = x.numel();
        Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> Kernels.relu(x.data(), y.data(), from, to));
        return Node.record("relu", Derivable.RELU, y, g -> {
            Tensor gx = Tensor.emptyLike(x);
            Parallel.forChunks(n, Parallel.MIN_WORK, (chunk, from, to) -> Kernels.reluBackward(x.data(), g.data(), from, to, gx.data(), from));
            return new Tensor[] {gx};
        }, x);
    }
}
