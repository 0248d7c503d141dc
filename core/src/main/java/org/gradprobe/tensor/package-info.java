/**
 * Tensors: dense row-major storage in float32 or float64, a shape, and the autograd fields
 * (whether a gradient is wanted, the gradient itself, and the node that created the tensor).
 * Nothing here knows about layers or training.
 */
package org.gradprobe.tensor;
