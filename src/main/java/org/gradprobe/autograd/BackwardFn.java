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
     * A rule of a one-input op whose every output element is a copy of one input element, and which
     * routes each output element's gradient to that input element, no input element receiving two;
     * the other input elements get zero (max pooling whose windows do not overlap). The input gradient
     * then holds exactly the output gradient's values plus zeros, so its statistics follow from the
     * output gradient's; the probe uses this instead of reading the larger tensor.
     */
    @FunctionalInterface
    interface Routing extends BackwardFn {}

    /**
     * A rule of a one-input elementwise op that passes the output gradient where the op's output is
     * positive and gives zero elsewhere (relu: its output is positive exactly where its input is). A
     * routed gradient gated so stays routed, and the probe derives its statistics from the smaller
     * tensor it was routed from.
     */
    @FunctionalInterface
    interface Gate extends BackwardFn {}
}
