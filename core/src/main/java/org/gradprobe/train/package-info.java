/**
 * Training and evaluation loops over a {@link org.gradprobe.nn.Model}, and {@link org.gradprobe.train.GradCapture},
 * which runs one forward and backward pass and keeps every parameter gradient, every layer output and
 * the gradient at every layer output.
 */
package org.gradprobe.train;
