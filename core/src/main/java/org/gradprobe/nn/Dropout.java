package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** dropout(p=0.5): active in training only. */
public final class Dropout extends Layer {
    final double p;

    Dropout(String name, int[] in, double p) {
        super(name, "dropout", in, in);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(F.dropout(x, p, ctx.training, ctx.rng), ctx);
    }

    @Override
    public String describe() {
        return "dropout(" + p + ")";
    }
}
