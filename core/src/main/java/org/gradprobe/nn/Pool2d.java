package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** maxpool2d(k[, stride=k]) and avgpool2d(k[, stride=k]); no parameters. */
public final class Pool2d extends Layer {
    final int k, stride;
    final boolean max;

    Pool2d(String name, int[] in, boolean max, int k, int stride) {
        super(name, max ? "maxpool2d" : "avgpool2d", in, new int[] {in[0], (in[1] - k) / stride + 1, (in[2] - k) / stride + 1});
        this.max = max;
        this.k = k;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(max ? F.maxPool2d(x, k, stride) : F.avgPool2d(x, k, stride), ctx);
    }

    @Override
    public String describe() {
        return kind() + "(" + k + (stride != k ? ",stride=" + stride : "") + ")";
    }
}
