/**
 * The compute kernels behind the ops, and the one place where the element type is dispatched.
 * Ops hand {@link org.gradprobe.kernels.Storage} (a float32 or float64 array) to the static methods of
 * {@link org.gradprobe.kernels.Kernels}, which call the family that does the work: products
 * ({@code ProductsF32}, {@code VectorProductsF32}), convolution helpers ({@code ConvF32},
 * {@code VectorConvF32}), elementwise and optimizer loops ({@code ElementwiseF32},
 * {@code VectorElementwiseF32}, {@code VectorOptimizersF32}) and the probe's statistics
 * ({@code StatisticsF32}, {@code VectorStatisticsF32}, {@link org.gradprobe.kernels.Summary}).
 *
 * <p>Only the float32 classes are written by hand. A class marked {@code // @generate-float64} has its
 * float64 twin ({@code ...F64}) generated from it at build time by {@code src/build/GenerateFloat64.java}
 * into {@code target/generated-sources/float64}; the Vector API classes without the marker are
 * float32 only, float64 keeping the plain loops there (its passes are for checking, not speed, and
 * must keep their bits). {@code Backend} chooses the Vector API ({@code jdk.incubator.vector}) when the
 * JVM has that module, else the plain loops; {@code GRADPROBE_KERNELS=java|vector} forces one.
 * {@link org.gradprobe.kernels.Parallel} splits work over the cores and
 * {@link org.gradprobe.kernels.Scratch} keeps per-thread temporaries across calls.
 */
package org.gradprobe.kernels;
