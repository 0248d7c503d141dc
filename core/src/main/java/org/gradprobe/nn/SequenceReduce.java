package org.gradprobe.nn;

import org.gradprobe.ops.F;
import org.gradprobe.tensor.Tensor;

/** last ({@code x[:, -1]}) and meanpool ({@code x.mean(1)}): a sequence [T, D] to one vector [D]. */
public final class SequenceReduce extends Layer {
    SequenceReduce(String name, String kind, int[] in) {
        super(name, kind, in, new int[] {in[1]});
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(kind().equals("last") ? F.last(x) : F.meanOverTime(x), ctx);
    }

    @Override
    public String describe() {
        return kind();
    }
}
