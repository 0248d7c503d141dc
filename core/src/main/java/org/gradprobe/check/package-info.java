/**
 * Gradient checking: every backward rule proved against central finite differences, from one op to a
 * whole model, in full (every Jacobian entry), sampled (k coordinates per tensor) or fast (random
 * directions, vᵀJu) mode, with points at non-differentiable kinks detected and skipped, and failures
 * reported as the worst mismatches with their indices. {@link org.gradprobe.check.OpRegistry} lists every
 * built-in op so that none can arrive unchecked.
 */
package org.gradprobe.check;
