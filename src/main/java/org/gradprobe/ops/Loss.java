package org.gradprobe.ops;

import java.util.List;
import java.util.Locale;
import org.gradprobe.tensor.Tensor;

/**
 * A training objective: the model's output and the batch's {@link Targets} in, a scalar tensor (the
 * mean, as PyTorch's default reduction) out, with its backward rule. Training, evaluation, NaN
 * localization, gradient capture and model checking all take the loss from here.
 */
public interface Loss {
    /** The name of the loss's op in the graph and in the run record ("cross_entropy", "mse_loss", ...). */
    String name();

    /** The loss's name in settings and on the command line ("cross-entropy", "mse", "bce-logits"). */
    String key();

    /** The mean loss of {@code output} against {@code targets}: a scalar tensor with a graph. */
    Tensor compute(Tensor output, Targets targets);

    /** As {@link #compute(Tensor, Targets)} with class indices, as the image data sets give them. */
    default Tensor compute(Tensor output, int[] labels) {
        return compute(output, Targets.classes(labels));
    }

    /** Mean cross-entropy of logits [N, C] against class indices [N] (PyTorch's {@code F.cross_entropy}); the default. */
    Loss CROSS_ENTROPY = of("cross-entropy", "cross_entropy", (out, t) -> F.crossEntropy(out, t.labels("cross-entropy")));

    /** Mean squared error against values shaped as the output (PyTorch's {@code F.mse_loss}). */
    Loss MSE = of("mse", "mse_loss", (out, t) -> F.mseLoss(out, t.values("mse", out)));

    /** Mean binary cross-entropy of logits against values in [0, 1] (PyTorch's {@code F.binary_cross_entropy_with_logits}). */
    Loss BCE_WITH_LOGITS = of("bce-logits", "binary_cross_entropy_with_logits", (out, t) -> F.bceWithLogits(out, t.values("bce-logits", out)));

    /** Every loss, by name. */
    List<Loss> ALL = List.of(CROSS_ENTROPY, MSE, BCE_WITH_LOGITS);

    /** The loss named {@code name} ("cross-entropy", "mse", "bce-logits"), or an error listing them. */
    static Loss parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Loss l : ALL) if (l.key().equals(n)) return l;
        throw new IllegalArgumentException("unknown loss '" + name + "', expected cross-entropy, mse or bce-logits");
    }

    /** A loss from its key, its op's name and its computation. */
    static Loss of(String key, String op, java.util.function.BiFunction<Tensor, Targets, Tensor> fn) {
        return new Loss() {
            @Override
            public String name() {
                return op;
            }

            @Override
            public String key() {
                return key;
            }

            @Override
            public Tensor compute(Tensor output, Targets targets) {
                return fn.apply(output, targets);
            }

            @Override
            public String toString() {
                return key;
            }
        };
    }
}
