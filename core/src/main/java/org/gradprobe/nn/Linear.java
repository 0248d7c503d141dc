package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/** linear(out[, bias=true]): weight [out,in], bias [out]; on a sequence [T, in], each step → [T, out]. */
public final class Linear extends Layer {
    final int out;
    final boolean hasBias;

    Linear(String name, int[] in, int out, boolean bias, Init init, DType dtype, SplittableRandom rng) {
        super(name, "linear", in, withLast(in, out));
        this.out = out;
        this.hasBias = bias;
        param("weight", init.weight(dtype, rng, out, in[in.length - 1]));
        if (bias) param("bias", init.bias(dtype, rng, out, in[in.length - 1]));
    }

    private static int[] withLast(int[] in, int out) {
        int[] s = in.clone();
        s[s.length - 1] = out;
        return s;
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
