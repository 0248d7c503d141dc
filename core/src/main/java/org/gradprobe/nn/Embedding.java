package org.gradprobe.nn;

import java.util.SplittableRandom;
import org.gradprobe.ops.F;
import org.gradprobe.tensor.DType;
import org.gradprobe.tensor.Tensor;

/** embedding(V,D): PyTorch's {@code nn.Embedding}; a sequence of T integer ids in [0, V) → [T, D]; weight [V, D]. */
public final class Embedding extends Layer {
    final int vocabulary, dim;

    Embedding(String name, int[] in, int vocabulary, int dim, Init init, DType dtype, SplittableRandom rng) {
        super(name, "embedding", in, new int[] {in[0], dim});
        this.vocabulary = vocabulary;
        this.dim = dim;
        param("weight", init.embedding(dtype, rng, vocabulary, dim));
    }

    @Override
    public Tensor forward(Tensor x, ForwardContext ctx) {
        return emit(F.embedding(x, params.get("weight")), ctx);
    }

    @Override
    public String describe() {
        return "embedding(" + vocabulary + "," + dim + ")";
    }
}
