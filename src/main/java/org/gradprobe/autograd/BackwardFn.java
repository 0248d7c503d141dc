package org.gradprobe.autograd;

import org.gradprobe.tensor.Tensor;

/**
 * The backward rule of one recorded op: from the gradient of the loss with respect to the op's
 * output, the gradients with respect to each of its inputs (same order as the inputs; null where an
 * input needs none). Gradients are plain tensors with no graph.
 */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput);

    /**
     * A rule of a one-input op that routes the output gradient element by element: each output
     * element's gradient lands on one input element, no input element receives two, and the other
     * input elements get zero (max pooling whose windows do not overlap). The input gradient then holds
     * exactly the output gradient's values plus zeros, so its statistics follow from the output
     * gradient's; the probe uses this instead of reading the larger tensor.
     */
    @FunctionalInterface
    interface Routing extends BackwardFn {}
}
