package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/** conv2d(out, k[, stride=1][, padding=0][, bias=true]): weight [out,in,k,k], bias [out]. */
public final class Conv2d extends Layer {
    final int out, k, stride, padding;
    final boolean hasBias;

    Conv2d(String name, int[] in, int out, int k, int stride, int padding, boolean bias, Init init, DType dtype, SplittableRandom rng) {
        super(name, "conv2d", in, new int[] {out, (in[1] + 2 * padding - k) / stride + 1, (in[2] + 2 * padding - k) / stride + 1});
        this.out = out;
        this.k = k;
        this.stride = stride;
        this.padding = padding;
        this.hasBias = bias;
        param("weight", init.weight(dtype, rng, out, in[0], k, k));
        if (bias) param("bias", init.bias(dtype, rng, out, in[0] * k * k));
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(F.conv2d(x, params.get("weight"), params.get("bias"), stride, padding), ctx);
    }

    @Override
    public String describe() {
        return "conv2d(" + out + "," + k + (stride != 1 ? ",stride=" + stride : "") + (padding != 0 ? ",padding=" + padding : "")
                + (hasBias ? "" : ",bias=false") + ")";
    }
}
