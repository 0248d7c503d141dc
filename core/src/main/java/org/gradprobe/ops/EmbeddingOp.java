package org.gradprobe.ops;

import org.gradprobe.autograd.Node;
import org.gradprobe.kernels.Kernels;
import org.gradprobe.tensor.ShapeException;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/**
 * A lookup table (PyTorch's {@code nn.Embedding}): ids [N, T] of integer values in [0, V) pick rows of
 * weight [V, D], giving [N, T, D]. The ids arrive as a float tensor, as every model input does here; a
 * value that is not an integer in range is an error naming it. Backward adds each output row's
 * gradient into the row it came from (rows picked twice receive both); the ids take no gradient.
 */
final class EmbeddingOp {
    private EmbeddingOp() {}

    static Tensor embedding(Tensor ids, Tensor weight) {
        Checks.rank("embedding weight", weight, 2);
        if (ids.rank() < 1) throw new ShapeException("embedding: ids need at least one dimension, got " + Shapes.str(ids.shape()));
        int v = weight.dim(0), d = weight.dim(1), n = ids.numel();
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            double id = ids.get(i);
            if (id != Math.rint(id) || id < 0 || id >= v) {
                throw new IllegalArgumentException("embedding: id " + id + " (element " + i + " of " + Shapes.str(ids.shape())
                        + ") is not an integer in 0.." + (v - 1));
            }
            rows[i] = (int) id;
        }
        int[] outShape = java.util.Arrays.copyOf(ids.shape(), ids.rank() + 1);
        outShape[ids.rank()] = d;
        Tensor y = Tensor.empty(weight.dtype, outShape);
        for (int i = 0; i < n; i++) Kernels.copy(weight.data(), rows[i] * d, y.data(), i * d, d);
        return Node.record("embedding", y, g -> {
            // each output row's gradient added into its row in the order of the ids, in float64, rounded once
            double[] gw = new double[v * d];
            for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) gw[rows[i] * d + j] += g.get(i * d + j);
            return new Tensor[] {null, Tensor.of(weight.dtype, weight.shape(), gw)};
        }, ids, weight);
    }
}
