/**
 * Every differentiable op, each in one class holding its forward and its backward rule side by side.
 * {@link org.gradprobe.ops.F} is the public facade (the functional API, like torch.nn.functional).
 */
package org.gradprobe.ops;
