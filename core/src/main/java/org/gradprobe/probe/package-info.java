/**
 * The gradient probe: one-pass, mergeable statistics of every node's value and gradient
 * ({@link org.gradprobe.probe.Stats}), their bounded histories, the always-on non-finite check with
 * localization of the node that produced a NaN or Inf, and the detectors that turn histories into
 * verdicts per layer with the numbers behind them and advice.
 */
package org.gradprobe.probe;
