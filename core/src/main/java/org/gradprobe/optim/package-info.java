/**
 * Optimizers with PyTorch's exact update rules (SGD with momentum, dampening, Nesterov and weight
 * decay; Adam) and gradient clipping by global norm or by value.
 */
package org.gradprobe.optim;
