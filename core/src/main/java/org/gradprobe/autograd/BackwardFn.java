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
}
