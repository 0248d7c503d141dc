/**
 * The compute kernels behind the ops: matrix multiply, im2col/col2im and pooling, in float32 and
 * float64 twins. Ops call {@link org.gradprobe.kernels.Kernels#get()}; the implementation can change
 * freely (a faster one replaces {@code JavaKernels} without touching any op).
 */
package org.gradprobe.kernels;
