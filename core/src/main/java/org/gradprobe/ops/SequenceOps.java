package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.tensor.Tensor;

/**
 * From a batch of sequences x [N, T, D] (batch first, as PyTorch's {@code batch_first=True}) to one
 * vector a sequence [N, D]: its last step, {@code x[:, -1]}, or the mean over its steps,
 * {@code x.mean(1)}.
 */
final class SequenceOps {
    private SequenceOps() {}

    static Tensor last(Tensor x) {
        Checks.rank("last", x, 3);
        int n = x.dim(0), t = x.dim(1), d = x.dim(2);
        Tensor y = Tensor.empty(x.dtype, n, d);
        for (int i = 0; i < n; i++) Kernels.copy(x.data(), (i * t + t - 1) * d, y.data(), i * d, d);
        return Node.record("last", y, g -> {
            // the gradient reaches the last step only
            Tensor gx = Tensor.zerosLike(x);
            for (int i = 0; i < n; i++) Kernels.copy(g.data(), i * d, gx.data(), (i * t + t - 1) * d, d);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor meanOverTime(Tensor x) {
        Checks.rank("meanpool", x, 3);
        int n = x.dim(0), t = x.dim(1), d = x.dim(2);
        double[] sums = new double[n * d];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(row, 0);
            for (int s = 0; s < t; s++) Kernels.accumulate(x.data(), (i * t + s) * d, row, d);
            for (int j = 0; j < d; j++) sums[i * d + j] = row[j] / t;
        }
        return Node.record("meanpool", Tensor.of(x.dtype, new int[] {n, d}, sums), g -> {
            // every step receives 1/T of the gradient
            double[] gx = new double[n * t * d];
            for (int i = 0; i < n; i++) for (int s = 0; s < t; s++) for (int j = 0; j < d; j++) gx[(i * t + s) * d + j] = g.get(i * d + j) / t;
            return new Tensor[] {Tensor.of(x.dtype, x.shape(), gx)};
        }, x);
    }
}
