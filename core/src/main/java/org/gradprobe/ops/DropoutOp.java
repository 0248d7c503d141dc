package org.gradprobe.ops;

import java.util.SplittableRandom;
import org.gradprobe.autograd.Node;
import org.gradprobe.tensor.Tensor;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors scaled
 * by 1/(1−p); in evaluation the identity. The mask comes from the given seeded generator (it cannot
 * match PyTorch's random stream, so compare with PyTorch in eval mode or with p = 0).
 */
final class DropoutOp {
    private DropoutOp() {}

    static Tensor dropout(Tensor x, double p, boolean training, SplittableRandom rng) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        if (!training || p == 0) {
            return Node.record("dropout", x.detach().copy(), g -> new Tensor[] {g}, x);
        }
        double scale = p == 1 ? 0.0 : 1.0 / (1.0 - p);
        double[] mask = new double[x.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() >= p ? scale : 0.0;
        Tensor y = Tensor.zerosLike(x);
        for (int i = 0; i < mask.length; i++) y.set(i, x.get(i) * mask[i]);
        return Node.record("dropout", y, g -> {
            Tensor gx = Tensor.zerosLike(g);
            for (int i = 0; i < mask.length; i++) gx.set(i, g.get(i) * mask[i]);
            return new Tensor[] {gx};
        }, x);
    }
}
