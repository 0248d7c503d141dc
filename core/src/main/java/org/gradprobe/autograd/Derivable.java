package org.gradprobe.autograd;

/**
 * What an op's node tells the probe it may derive instead of reading a tensor: a typed property of the
 * node ({@link Node#derivable()}), declared by the op where it records itself. Each derivation is exact;
 * the probe's tests compare every derived record with the tensor's own statistics.
 */
public enum Derivable {
    /** Nothing: the probe reads the tensors. */
    NONE,
    /**
     * relu: the output is max(input, 0) (a NaN passes), so its statistics come from the same pass as its
     * input's; backward passes the output gradient where the output is positive and gives zero elsewhere
     * (it gates), so a routed gradient gated by it stays routed.
     */
    RELU,
    /**
     * A one-input op whose every output element is a copy of one input element, and which routes each
     * output element's gradient to that input element, no input element receiving two; the other input
     * elements get zero (max pooling whose windows do not overlap). The input gradient then holds exactly
     * the output gradient's values plus zeros, so its statistics follow from the smaller tensor's.
     */
    ROUTES
}
