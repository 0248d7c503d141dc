/**
 * Reverse-mode automatic differentiation: the {@link org.gradprobe.autograd.Node} each op records on
 * its output, and the small strict backward walk in {@link org.gradprobe.autograd.Backward}.
 */
package org.gradprobe.autograd;
