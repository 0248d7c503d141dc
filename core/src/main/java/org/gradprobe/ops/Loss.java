package org.gradprobe.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.gradprobe.tensor.Shapes;
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

    /** Whether the loss takes class indices ({@link Targets.Classes}); else values shaped as the output. */
    boolean classTargets();

    /** The mean loss of {@code output} against {@code targets}: a scalar tensor with a graph. */
    Tensor compute(Tensor output, Targets targets);

    /** As {@link #compute(Tensor, Targets)} with class indices, as the image data sets give them. */
    default Tensor compute(Tensor output, int[] labels) {
        return compute(output, Targets.classes(labels));
    }

    /**
     * Mean cross-entropy of logits [N, C] against class indices [N] (PyTorch's {@code F.cross_entropy});
     * the default. Per token on logits [N, T, C] against class indices [N, T], the mean over all N·T
     * tokens: {@code F.cross_entropy(out.reshape(-1, C), y.reshape(-1))}.
     */
    Loss CROSS_ENTROPY = of("cross-entropy", "cross_entropy", true, (out, t) -> crossEntropy(out, t.classes("cross-entropy")));

    /** Mean squared error against values shaped as the output (PyTorch's {@code F.mse_loss}). */
    Loss MSE = of("mse", "mse_loss", false, (out, t) -> F.mseLoss(out, t.values("mse", out)));

    /** Mean binary cross-entropy of logits against values in [0, 1] (PyTorch's {@code F.binary_cross_entropy_with_logits}). */
    Loss BCE_WITH_LOGITS = of("bce-logits", "binary_cross_entropy_with_logits", false,
            (out, t) -> F.bceWithLogits(out, t.values("bce-logits", out)));

    /** Every loss, by name. */
    List<Loss> ALL = List.of(CROSS_ENTROPY, MSE, BCE_WITH_LOGITS);

    /** The loss named {@code name} ("cross-entropy", "mse", "bce-logits"), or an error listing them. */
    static Loss parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Loss l : ALL) if (l.key().equals(n)) return l;
        throw new IllegalArgumentException("unknown loss '" + name + "', expected cross-entropy, mse or bce-logits");
    }

    /**
     * Cross-entropy of {@code out} against class indices: [N, C] against [N] as it is, [N, T, C] against
     * [N, T] as N·T rows of C logits (a view: the reshape's gradient is the incoming one, reshaped).
     */
    private static Tensor crossEntropy(Tensor out, Targets.Classes t) {
        int[] s = t.shape();
        if (s.length == 1 && out.rank() == 2) return F.crossEntropy(out, t.labels());
        int[] expected = Arrays.copyOf(out.shape(), Math.max(out.rank() - 1, 0));
        if (out.rank() < 2 || !Arrays.equals(s, expected)) {
            throw new IllegalArgumentException("cross-entropy: targets " + Shapes.str(s) + " do not fit the output " + Shapes.str(out.shape())
                    + (out.rank() < 2 ? " (expected an output [N, C] or [N, T, C])" : " (expected class indices " + Shapes.str(expected) + ")"));
        }
        return F.crossEntropy(F.reshape(out, t.labels().length, out.dim(out.rank() - 1)), t.labels());
    }

    /** A loss from its key, its op's name, the kind of targets it takes and its computation. */
    static Loss of(String key, String op, boolean classTargets, java.util.function.BiFunction<Tensor, Targets, Tensor> fn) {
        return new Loss() {
            @Override
            public boolean classTargets() {
                return classTargets;
            }

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
