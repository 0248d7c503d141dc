/**
 * The compute kernels behind the ops: matrix multiply, im2col/col2im, pooling, relu's backward and the
 * probe's statistics and finite checks, in float32 and float64 twins. Ops call
 * {@link org.gradprobe.kernels.Kernels#get()}, which {@code Backend} resolves once: {@code VectorKernels}
 * (the Vector API, {@code jdk.incubator.vector}) when the JVM has that module, else {@code JavaKernels}
 * (plain loops, also the base that {@code VectorKernels} extends); {@code GRADPROBE_KERNELS=java|vector}
 * forces one. {@link org.gradprobe.kernels.Parallel} splits work over the cores and
 * {@link org.gradprobe.kernels.Scratch} keeps per-thread temporaries across calls.
 */
package org.gradprobe.kernels;
