package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** relu, leakyrelu(slope=0.01), sigmoid, tanh, gelu: elementwise, no parameters. */
public final class Activation extends Layer {
    final double slope;

    Activation(String name, int[] in, String kind, double slope) {
        super(name, kind, in, in);
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        Tensor y;
        switch (kind()) {
            case "relu": y = F.relu(x); break;
            case "leakyrelu": y = F.leakyRelu(x, slope); break;
            case "sigmoid": y = F.sigmoid(x); break;
            case "tanh": y = F.tanh(x); break;
            case "gelu": y = F.gelu(x); break;
            default: throw new IllegalStateException("unknown activation " + kind());
        }
        return emit(y, ctx);
    }

    @Override
    public String describe() {
        return kind().equals("leakyrelu") && slope != 0.01 ? "leakyrelu(" + slope + ")" : kind();
    }
}
