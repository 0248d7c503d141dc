package org.gradprobe.nn;

import java.util.ArrayList;
import java.util.List;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** residual(SPEC): x + body(x); the body's layers are named {@code <name>.<j>}. */
public final class Residual extends Layer {
    private final List<Layer> body;

    Residual(String name, int[] in, List<Layer> body) {
        super(name, "residual", in, in);
        this.body = List.copyOf(body);
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        Tensor h = x;
        for (Layer l : body) h = l.forward(h, ctx);
        return emit(F.add(x, h), ctx);
    }

    @Override
    public List<Layer> children() {
        return new ArrayList<>(body);
    }

    @Override
    public String describe() {
        return "residual(" + ModelSpec.describe(body) + ")";
    }
}
