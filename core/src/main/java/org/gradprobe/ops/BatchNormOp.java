package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * Batch normalization over x [N,C] or [N,C,H,W], per channel C (Ioffe and Szegedy, 2015).
 * Training normalizes with the batch mean and biased variance and updates the running statistics
 * with PyTorch's rule (running = (1−momentum)·running + momentum·batch, the variance unbiased);
 * evaluation uses the running statistics.
 */
final class BatchNormOp {
    private BatchNormOp() {}

    static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                            boolean training, double momentum, double eps) {
        Checks.rank("batch_norm", x, 2, 4);
        int n = x.dim(0), c = x.dim(1);
        int spatial = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
        for (Tensor t : new Tensor[] {gamma, beta, runningMean, runningVar}) {
            if (t != null && (t.rank() != 1 || t.dim(0) != c)) {
                throw new ShapeException("batch_norm: input " + Shapes.str(x.shape()) + " has " + c
                        + " channels, parameter has shape " + Shapes.str(t.shape()));
            }
        }
        int count = n * spatial;
        if (training && count <= 1) {
            throw new ShapeException("batch_norm: expected more than 1 value per channel when training, got input " + Shapes.str(x.shape()));
        }
        double[] xv = x.doubles();
        double[] mean = new double[c], invStd = new double[c];
        if (training) {
            double[] var = new double[c];
            forEach(n, c, spatial, (ch, i) -> mean[ch] += xv[i]);
            for (int ch = 0; ch < c; ch++) mean[ch] /= count;
            forEach(n, c, spatial, (ch, i) -> var[ch] += (xv[i] - mean[ch]) * (xv[i] - mean[ch]));
            for (int ch = 0; ch < c; ch++) {
                var[ch] /= count;
                invStd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
                if (runningMean != null) runningMean.set(ch, (1 - momentum) * runningMean.get(ch) + momentum * mean[ch]);
                if (runningVar != null) {
                    runningVar.set(ch, (1 - momentum) * runningVar.get(ch) + momentum * var[ch] * count / (count - 1));
                }
            }
        } else {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batch_norm: evaluation mode needs running_mean and running_var");
            }
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = runningMean.get(ch);
                invStd[ch] = 1.0 / Math.sqrt(runningVar.get(ch) + eps);
            }
        }
        double[] xhat = new double[xv.length];
        double[] y = new double[xv.length];
        forEach(n, c, spatial, (ch, i) -> {
            xhat[i] = (xv[i] - mean[ch]) * invStd[ch];
            y[i] = xhat[i] * (gamma == null ? 1.0 : gamma.get(ch)) + (beta == null ? 0.0 : beta.get(ch));
        });
        Tensor out = Tensor.of(x.dtype, x.shape(), y);
        return Node.record("batch_norm", out, g -> {
            double[] gv = g.doubles();
            double[] sumG = new double[c], sumGX = new double[c];
            forEach(n, c, spatial, (ch, i) -> {
                sumG[ch] += gv[i];
                sumGX[ch] += gv[i] * xhat[i];
            });
            double[] gx = new double[xv.length];
            forEach(n, c, spatial, (ch, i) -> {
                double gam = gamma == null ? 1.0 : gamma.get(ch);
                gx[i] = training
                        ? gam * invStd[ch] * (gv[i] - sumG[ch] / count - xhat[i] * sumGX[ch] / count)
                        : gam * invStd[ch] * gv[i];
            });
            Tensor gGamma = gamma == null ? null : Tensor.of(x.dtype, new int[] {c}, sumGX.clone());
            Tensor gBeta = beta == null ? null : Tensor.of(x.dtype, new int[] {c}, sumG.clone());
            return new Tensor[] {Tensor.of(x.dtype, x.shape(), gx), gGamma, gBeta};
        }, x, gamma, beta);
    }

    private interface ChannelVisitor {
        void visit(int channel, int index);
    }

    private static void forEach(int n, int c, int spatial, ChannelVisitor v) {
        for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++) {
            int base = (b * c + ch) * spatial;
            for (int s = 0; s < spatial; s++) v.visit(ch, base + s);
        }
    }
}
