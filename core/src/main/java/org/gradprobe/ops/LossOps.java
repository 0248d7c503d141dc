package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/** log-softmax over classes, cross-entropy from logits (mean), and mean-squared error (mean). */
final class LossOps {
    private LossOps() {}

    /** Row-wise log-softmax of x[N,C] in float64, max-shifted for stability. */
    private static double[] logSoftmaxRows(double[] x, int n, int c) {
        double[] y = new double[n * c];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) m = Math.max(m, x[i * c + j]);
            double s = 0;
            for (int j = 0; j < c; j++) s += Math.exp(x[i * c + j] - m);
            double lse = m + Math.log(s);
            for (int j = 0; j < c; j++) y[i * c + j] = x[i * c + j] - lse;
        }
        return y;
    }

    static Tensor logSoftmax(Tensor x) {
        Checks.rank("log_softmax", x, 2);
        int n = x.dim(0), c = x.dim(1);
        double[] y = logSoftmaxRows(x.doubles(), n, c);
        Tensor out = Tensor.of(x.dtype, x.shape(), y);
        return Node.record("log_softmax", out, g -> {
            double[] gv = g.doubles();
            double[] gx = new double[n * c];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < c; j++) s += gv[i * c + j];
                for (int j = 0; j < c; j++) gx[i * c + j] = gv[i * c + j] - Math.exp(y[i * c + j]) * s;
            }
            return new Tensor[] {Tensor.of(x.dtype, x.shape(), gx)};
        }, x);
    }

    /** mean over the batch of −log softmax(logits)[target]; logits [N,C], targets N class indices. */
    static Tensor crossEntropy(Tensor logits, int[] targets) {
        Checks.rank("cross_entropy", logits, 2);
        int n = logits.dim(0), c = logits.dim(1);
        if (targets.length != n) {
            throw new ShapeException("cross_entropy: logits " + Shapes.str(logits.shape()) + " but " + targets.length + " targets");
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException("cross_entropy: target " + targets[i] + " at position " + i
                        + " is outside [0, " + c + ")");
            }
        }
        double[] lp = logSoftmaxRows(logits.doubles(), n, c);
        double loss = 0;
        for (int i = 0; i < n; i++) loss -= lp[i * c + targets[i]];
        loss /= n;
        int[] t = targets.clone();
        return Node.record("cross_entropy", Tensor.scalar(logits.dtype, loss), g -> {
            double scale = g.get(0) / n;
            double[] gx = new double[n * c];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) gx[i * c + j] = Math.exp(lp[i * c + j]) * scale;
                gx[i * c + t[i]] -= scale;
            }
            return new Tensor[] {Tensor.of(logits.dtype, logits.shape(), gx)};
        }, logits);
    }

    /** mean((a − b)²) over all elements; gradients flow to both. */
    static Tensor mseLoss(Tensor a, Tensor b) {
        Checks.sameDtype("mse_loss", a, b);
        Checks.sameShape("mse_loss", a, b);
        double[] av = a.doubles(), bv = b.doubles();
        int n = av.length;
        double s = 0;
        for (int i = 0; i < n; i++) s += (av[i] - bv[i]) * (av[i] - bv[i]);
        return Node.record("mse_loss", Tensor.scalar(a.dtype, s / n), g -> {
            double scale = 2.0 * g.get(0) / n;
            double[] ga = new double[n], gb = new double[n];
            for (int i = 0; i < n; i++) {
                ga[i] = (av[i] - bv[i]) * scale;
                gb[i] = -ga[i];
            }
            return new Tensor[] {Tensor.of(a.dtype, a.shape(), ga), Tensor.of(b.dtype, b.shape(), gb)};
        }, a, b);
    }

    /**
     * mean(max(x, 0) − x·y + log(1 + e^−|x|)) over all elements: binary cross-entropy of logits x against
     * targets y in [0, 1] (PyTorch's {@code F.binary_cross_entropy_with_logits}, mean reduction), in the
     * form that neither overflows nor loses precision for large |x|. Backward: (σ(x) − y)/n to x, −x/n to y.
     */
    static Tensor bceWithLogits(Tensor x, Tensor y) {
        Checks.sameDtype("binary_cross_entropy_with_logits", x, y);
        Checks.sameShape("binary_cross_entropy_with_logits", x, y);
        double[] xv = x.doubles(), yv = y.doubles();
        int n = xv.length;
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.max(xv[i], 0) - xv[i] * yv[i] + Math.log1p(Math.exp(-Math.abs(xv[i])));
        return Node.record("binary_cross_entropy_with_logits", Tensor.scalar(x.dtype, s / n), g -> {
            double scale = g.get(0) / n;
            double[] gx = new double[n], gy = new double[n];
            for (int i = 0; i < n; i++) {
                gx[i] = (1 / (1 + Math.exp(-xv[i])) - yv[i]) * scale;
                gy[i] = -xv[i] * scale;
            }
            return new Tensor[] {Tensor.of(x.dtype, x.shape(), gx), Tensor.of(y.dtype, y.shape(), gy)};
        }, x, y);
    }
}
