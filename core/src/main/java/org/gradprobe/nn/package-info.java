/**
 * Layers with named parameters in PyTorch's layouts, the sequential {@link org.gradprobe.nn.Model},
 * initializers, and {@link org.gradprobe.nn.ModelSpec}, the text form the command line uses to name
 * a network.
 */
package org.gradprobe.nn;
