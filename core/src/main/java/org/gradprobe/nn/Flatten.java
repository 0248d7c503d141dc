package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.Shapes;
import org.gradprobe.tensor.Tensor;

/** flatten: [C,H,W] → [C·H·W]. */
public final class Flatten extends Layer {
    Flatten(String name, int[] in) {
        super(name, "flatten", in, new int[] {Shapes.numel(in)});
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(F.flatten(x), ctx);
    }

    @Override
    public String describe() {
        return "flatten";
    }
}
