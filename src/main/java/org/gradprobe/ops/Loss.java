package org.gradprobe.ops;

import org.gradprobe.tensor.Tensor;

/**
 * A training objective: the model's output and the batch's targets (class indices, as the data sets
 * give them) in, a scalar tensor (the mean over the batch) out, with its backward rule. Training,
 * evaluation, NaN localization, gradient capture and model checking all take the loss from here.
 */
public interface Loss {
    /** The loss's name, as its op is named in the graph ("cross_entropy"). */
    String name();

    /** The mean loss of {@code output} [N, classes] against {@code targets} [N]: a scalar tensor with a graph. */
    Tensor compute(Tensor output, int[] targets);

    /** Mean cross-entropy of logits against class indices (PyTorch's {@code nn.CrossEntropyLoss}); the default. */
    Loss CROSS_ENTROPY = new Loss() {
        @Override
        public String name() {
            return "cross_entropy";
        }

        @Override
        public Tensor compute(Tensor output, int[] targets) {
            return F.crossEntropy(output, targets);
        }

        @Override
        public String toString() {
            return name();
        }
    };
}
