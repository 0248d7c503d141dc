package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/** linear(out[, bias=true]): weight [out,in], bias [out]. */
public final class Linear extends Layer {
    final int out;
    final boolean hasBias;

    Linear(String name, int[] in, int out, boolean bias, Init init, DType dtype, SplittableRandom rng) {
        super(name, "linear", in, new int[] {out});
        this.out = out;
        this.hasBias = bias;
        param("weight", init.weight(dtype, rng, out, in[0]));
        if (bias) param("bias", init.bias(dtype, rng, out, in[0]));
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(F.linear(x, params.get("weight"), params.get("bias")), ctx);
    }

    @Override
    public String describe() {
        return "linear(" + out + (hasBias ? "" : ",bias=false") + ")";
    }
}
